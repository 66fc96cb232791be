"""Evaluation tooling, apart from what answers a question: `evaluate` (scores answers against a question
file), `calibrate` (fits the confidence model), `check_eval` (the LLM support check as a classifier),
`bench` (speed and memory), `baseline` (a plain llama-index pipeline), `train` (the answer scorer).
Nothing under `qa/` outside this package imports it."""
