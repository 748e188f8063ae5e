"""CI-sized smoke tests of the benchmark tooling: small sizes, bounded ratios, no network.

The full benchmarks (bench/vs_peers.py, bench/scaling.py) take minutes; these check that
their generators build hosts acp-lint understands, and that cost per file does not blow up
between two small sizes (a ratio, never an absolute number of seconds).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import hostbuild  # noqa: E402
import scaling  # noqa: E402
from measure import run  # noqa: E402

# What the demo's hand-written ACP app breaks (fixtures/demo, minus the demo shop's own
# colliding route, which the generated hosts do not have).
DEMO_ACP_FINDINGS = Counter({"ACP101": 2, "ACP102": 1, "ACP103": 2, "ACP104": 2, "ACP301": 2})

Finding = tuple[str, int, int, str]


def lint(root: Path) -> tuple[list[Finding], float]:
    """acp-lint's findings on ``root`` (cold, JSON) and the wall time of that run."""
    result = run([sys.executable, "-m", "acp_lint", "--no-cache", "--output-format", "json"], root)
    assert result.returncode in (0, 1), result.stderr
    found = [(d["path"], d["line"], d["column"], d["code"]) for d in json.loads(result.stdout)]
    return sorted(found), result.seconds


def best_of(root: Path, runs: int = 2) -> tuple[list[Finding], float]:
    """Findings and the fastest of ``runs`` runs (the first also warms the OS file cache)."""
    results = [lint(root) for _ in range(runs)]
    assert all(found == results[0][0] for found, _ in results)
    return results[0][0], min(seconds for _, seconds in results)


@pytest.fixture(scope="module")
def bodies() -> list[bytes]:
    return scaling.real_sources()


def test_scaling_generator_same_findings_and_bounded_cost_per_file(
    tmp_path: Path, bodies: list[bytes]
) -> None:
    small = scaling.generate(tmp_path / "small", 500, install="demo", bodies=bodies)
    large = scaling.generate(tmp_path / "large", 2_000, install="demo", bodies=bodies)
    assert large.python_files >= 2_000 > small.python_files >= 500
    assert (small.routes, large.routes) == (100, 400)

    found_small, secs_small = best_of(small.root)
    found_large, secs_large = best_of(large.root)

    assert found_small == found_large
    assert Counter(code for *_, code in found_large) == DEMO_ACP_FINDINGS
    per_file_small = secs_small / small.python_files
    per_file_large = secs_large / large.python_files
    assert per_file_large <= 3 * per_file_small, (secs_small, secs_large)


def test_scaling_urlconf_tree_resolves_every_route(tmp_path: Path, bodies: list[bytes]) -> None:
    tree = scaling.generate(tmp_path / "t", 600, n_routes=130, install="demo", bodies=bodies)
    table = routes(tree.root)
    generated = [r for r in table["routes"] if r["path"].startswith("pkg_")]
    assert len(generated) == 130
    assert any(r["pattern"] == "/s0/pkg_00000/r0/<int:pk>/" for r in generated)


def routes(root: Path) -> dict:
    """The statically resolved URL table of a host, as JSON."""
    cmd = [sys.executable, "-m", "acp_lint", "routes", "--output-format", "json"]
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_host_builder_demo_copy_offline(tmp_path: Path) -> None:
    host = hostbuild.build_host(tmp_path / "host", install="demo", offline=True, use_sdist=False)
    assert host.install_mode == "demo-copy"
    assert host.source.startswith("installed django")
    assert (host.root / "django" / "utils" / "html.py").exists()
    assert (host.root / ".git").is_dir()

    found, _ = lint(host.root)
    assert Counter(code for *_, code in found) == DEMO_ACP_FINDINGS
    assert all(path.startswith("acp/") for path, *_ in found)

    table = routes(host.root)
    assert table["root_urlconf"] == "hostsite.urls"
    assert table["endpoint_path"] == "/api/manage"
    patterns = {r["pattern"] for r in table["routes"]}
    assert "/accounts/login/" in patterns
    assert any(p.startswith("/admin/") for p in patterns)
    assert sum(p.startswith("/shop-") for p in patterns) >= 400


def test_issue13_case_hosts_are_what_their_rows_say(tmp_path: Path) -> None:
    """build_cases at small sizes: each case host gives the findings its row is about."""
    import vs_peers

    hosts = hostbuild.build_cases(tmp_path / "cases", modules=3, routes=300)
    demo = hosts["demo"]

    def codes(root: Path, *paths: str) -> Counter[str]:
        argv = [sys.executable, "-m", "acp_lint", "--no-cache", "--output-format", "json"]
        result = run([*argv, *paths], root)
        assert result.returncode in (0, 1), result.stderr
        return Counter(d["code"] for d in json.loads(result.stdout))

    assert codes(demo, hostbuild.BAD_HANDLER)["ACP104"] == 2  # fixable findings
    assert codes(demo, "acp/handlers_60.py") == Counter()  # 60 guarded handlers: clean
    assert codes(demo, "shop_00/acp_views.py") == Counter({"ACP104": 100})  # heuristic scope
    assert codes(hosts["tree"], ".")["ACP104"] == 300
    urls = (hosts["huge"] / "hostsite" / "urls.py").read_text()
    assert urls.count("pages/") == 300
    keys = {case.key for case in vs_peers.issue13_cases(Path("/peers"))}
    needed = {t.numerator for t in vs_peers.CASE_TARGETS} | {
        t.denominator for t in vs_peers.CASE_TARGETS
    }
    assert needed <= keys


def test_same_output_finds_a_difference_and_agreement(tmp_path: Path) -> None:
    """``same_output.py`` (the byte-identity check of a speed branch against main) passes two
    runs of the same checkout and fails a checkout whose output differs in one format."""
    import migrations_host

    tree = tmp_path / "tree"
    migrations_host.build_migrations_app(tree, apps=1, per_app=3)
    repo = BENCH.parent
    script = [sys.executable, str(BENCH / "same_output.py"), "--tree", str(tree)]
    same = subprocess.run([*script, "--a", str(repo), "--b", str(repo)], capture_output=True)
    assert same.returncode == 0, same.stdout
    assert b"identical: 36 outputs" in same.stdout
    # A checkout whose CLI prints the JSON format differently (a shim around the real one).
    # (``PYTHONPATH`` is the shim's folder: the real package is imported from the install.)
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(
        "import sys\n"
        "if '--output-format' in sys.argv and 'json' in sys.argv:\n"
        "    _write = sys.stdout.write\n"
        "    sys.stdout.write = lambda text: _write(text.replace('ACP3', 'ACPX'))\n"
    )
    other = subprocess.run([*script, "--a", str(repo), "--b", str(shim)], capture_output=True)
    assert other.returncode == 1
    assert b"DIFFERENT: json:stdout" in other.stdout
