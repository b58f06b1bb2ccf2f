"""The benchmark scenarios, one module each; `run_scenario(ctx) -> list[Row]` in every one."""
