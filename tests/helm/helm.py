#!/usr/bin/env python3
"""Helm's own engine (Helm v4 as a library, PyPI helm-python-sdk) for Pusdata's charts.

    helm.py lint CHART                    strict lint; exit 1 on any warning or error
    helm.py render CHART [-f VALUES]... [--set-json JSON] [--name N] [--namespace NS]
                         [--skip-tests]   the manifest `helm template` prints, on stdout
    helm.py validate CHART [-f VALUES]... [--set-json JSON]
                                          values.schema.json only; exit 2 with Helm's message

Values files and --set-json layer in order over the chart's values.yaml, as `helm install
-f a -f b --set-json` does. Exit codes: 0 ok, 1 lint findings, 2 Helm refused the input.
tests/run.sh installs the package into a virtualenv (tests/helm/setup.sh); the Rust tests
and `pusdata chart` run this script with that interpreter.
"""

import argparse
import json
import sys

import helm_python as helm


def merge(base, overlay):
    """Helm's coalescing of user values: maps merge key by key, the rest is replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for k, v in overlay.items():
            out[k] = merge(base.get(k), v) if k in base else v
        return out
    return overlay


def user_values(args):
    values = {}
    for path in args.values or []:
        with open(path, encoding="utf-8") as f:
            values = merge(values, helm.values_from_yaml(f.read()) or {})
    if args.set_json:
        values = merge(values, json.loads(args.set_json))
    return values


def is_test_hook(text):
    return "helm.sh/hook: test" in text


# Helm's install order (pkg/release/util/kind_sorter.go, InstallOrder): `helm install` and
# `helm template` emit objects kind by kind in this order, so `kubectl apply -f deploy/…`
# meets every dependency (ServiceAccounts and RBAC before the workloads that run as them,
# the webhook configurations after the webhook they call). Kinds not listed go last.
INSTALL_ORDER = [
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
    "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
]


def kind_of(doc):
    for line in doc.splitlines():
        if line.startswith("kind:"):
            return line[len("kind:"):].strip()
    return ""


def install_rank(doc):
    kind = kind_of(doc)
    # The agent's admission policy guards the agent from its first start: with the RBAC.
    if kind in ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"):
        return INSTALL_ORDER.index("RoleBindingList") + 0.5
    return INSTALL_ORDER.index(kind) if kind in INSTALL_ORDER else len(INSTALL_ORDER)


def render(args):
    chart = helm.Chart.load(args.chart)
    files = chart.render(user_values(args), name=args.name, namespace=args.namespace,
                         is_install=True)
    docs = []
    for path in sorted(files):
        # Helm prints neither NOTES.txt nor partials; `--skip-tests` leaves the test hooks out.
        if not path.endswith((".yaml", ".yml")):
            continue
        body = files[path].strip()
        if not body or (args.skip_tests and is_test_hook(body)):
            continue
        for doc in split_documents(body):
            docs.append((install_rank(doc), path, doc))
    # A stable sort: template order within a kind, as Helm keeps it.
    docs.sort(key=lambda d: d[0])
    sys.stdout.write("".join(f"---\n# Source: {path}\n{doc}\n" for _, path, doc in docs))
    if args.notes:
        notes = [files[p] for p in files if p.endswith("NOTES.txt")]
        with open(args.notes, "w", encoding="utf-8") as f:
            f.write("".join(notes))


def split_documents(body):
    docs = []
    for part in ("\n" + body).split("\n---"):
        part = part.strip("\n")
        if part.strip():
            docs.append(part)
    return docs


def lint(args):
    report = helm.lint(args.chart, user_values(args) or None, strict=True)
    # Severity: 1 info, 2 warning, 3 error. Strict mode fails on warnings too.
    bad = [m for m in report.get("messages", []) if m.get("severity", 0) >= 2]
    for m in report.get("messages", []):
        print(f"{m.get('severity')} {m.get('path')}: {m.get('error')}".rstrip())
    for e in report.get("errors", []):
        print(f"error: {e}".rstrip())
    return 1 if bad or report.get("errors") else 0


def validate(args):
    chart = helm.Chart.load(args.chart)
    chart.validate_schema(chart.merge_values(user_values(args)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["lint", "render", "validate"])
    p.add_argument("chart")
    p.add_argument("-f", "--values", action="append")
    p.add_argument("--set-json")
    p.add_argument("--name", default="pusdata")
    p.add_argument("--namespace", default="pusdata-system")
    p.add_argument("--skip-tests", action="store_true")
    p.add_argument("--notes", help="write the rendered NOTES.txt here")
    args = p.parse_args()
    try:
        if args.command == "lint":
            return lint(args)
        if args.command == "render":
            render(args)
        else:
            validate(args)
        return 0
    except helm.HelmError as e:
        print(f"helm: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
