"""Developer tools, never used at run time: evaluation, its report, the benchmark, the load test."""
