"""Running the model many times: tasks, executors, shards on disk, output folders, designs, benchmarks."""
