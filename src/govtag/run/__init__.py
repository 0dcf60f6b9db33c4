"""Running a model on reports: inputs and checks before any work, the runtime, the taggers, one
``load`` for any model directory, worker processes and Ray."""
