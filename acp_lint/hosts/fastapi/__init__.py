"""FastAPI (Starlette) hosts: route table, handler rules and the ACP104 guard."""
