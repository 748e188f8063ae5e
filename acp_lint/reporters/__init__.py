"""Output formats. Each reporter turns sorted diagnostics into text; none knows the CLI."""
