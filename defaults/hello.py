"""
---
id: "6b0f3c2e-9a41-4d7e-8c15-2f4a7b9d0e31"
title: "Hello"
kind: "utility"
entrypoint: "main"
enabled: true
version: 1
createdAt: "2026-11-24T00:00:00.000Z"
updatedAt: "2026-11-24T00:00:00.000Z"
---
"""
# The smallest utility: press Run and it prints a greeting with the Python version it ran on.
import sys


def main():
    print(f"Hello from Pymark, running Python {sys.version.split()[0]}")
