"""Parses a `trends --metrics-file` file with Prometheus's own Python
client (`prometheus_client.parser`, the 0.0.4 text format) and prints
every family and sample as one JSON object: what the e2e test checks
against the database."""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families

with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()

families = []
for family in text_string_to_metric_families(text):
    families.append(
        {
            "name": family.name,
            "type": family.type,
            "help": family.documentation,
            "samples": [
                {"name": s.name, "labels": s.labels, "value": s.value}
                for s in family.samples
            ],
        }
    )
print(json.dumps(families))
