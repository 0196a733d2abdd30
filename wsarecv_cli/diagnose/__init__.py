"""Receive bugs as findings: the catalogue of codes, the Finding record, detectors over replay records."""

from wsarecv_cli.diagnose.codes import CATALOGUE, STRICT_CODES, FindingCode, lookup, parse_fail_on
from wsarecv_cli.diagnose.detect import FindingDetector, detect
from wsarecv_cli.diagnose.finding import Finding

__all__ = ["CATALOGUE", "STRICT_CODES", "Finding", "FindingCode", "FindingDetector", "detect", "lookup",
           "parse_fail_on"]
