#!/usr/bin/env python3
"""The original technology (Django 3.2) on the benchmark's workload: see README.md beside this file."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "original.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
