"""The ways in and out of Linkplan: command line (and later HTTP, maps and documents)."""
