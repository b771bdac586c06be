#!/usr/bin/python3
"""Lines of code of the zoo's DSL files beside torchvision's model files, for docs/zoo.md.

    /usr/bin/python3 tests/reference/count_lines.py

DSL: lines that are neither blank nor comments. torchvision (0.14.1, Debian's python3-torchvision):
lines that are neither blank, comments nor docstrings, leaving out the pretrained-weights classes
(subclasses of WeightsEnum), which hold metadata rather than architecture.
"""
import ast
import os

import torchvision

FAMILIES = {
    "mobilenet": ["mobilenetv2.py", "mobilenetv3.py"],
    "squeezenet": ["squeezenet.py"],
    "shufflenet": ["shufflenetv2.py"],
    "mnasnet": ["mnasnet.py"],
    "regnet": ["regnet.py"],
    "convnext": ["convnext.py"],
    "efficientnet": ["efficientnet.py"],
    "resnet": ["resnet.py"],
}


def python_lines(path):
    source = open(path).read()
    tree = ast.parse(source)
    skipped = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            skipped.update(range(body[0].lineno, body[0].end_lineno + 1))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(getattr(base, "id", "") == "WeightsEnum" for base in node.bases):
            skipped.update(range(node.lineno, node.end_lineno + 1))
    return sum(1 for number, line in enumerate(source.splitlines(), 1)
               if line.strip() and not line.strip().startswith("#") and number not in skipped)


def dsl_lines(path):
    return sum(1 for line in open(path) if line.strip() and not line.strip().startswith("#"))


def main():
    models = os.path.join(os.path.dirname(torchvision.__file__), "models")
    networks = os.path.join(os.path.dirname(__file__), "..", "..", "dsl-examples", "Networks")
    for family, files in FAMILIES.items():
        dsl = dsl_lines(os.path.join(networks, family + ".net.txt"))
        python = sum(python_lines(os.path.join(models, name)) for name in files)
        print(f"{family}: DSL {dsl}, torchvision {python} ({', '.join(files)})")


if __name__ == "__main__":
    main()
