"""allpairspy on a kvmatrix model, for `npm run bench`: reads {sizes, rows, n} as JSON on stdin
(rows: the valid cells as value indexes), prints the rows allpairspy generates, in its order.

The constraints reach allpairspy through filter_func, which it calls on partial rows: a partial
row is accepted when it is the prefix of some valid cell, so allpairspy sees exactly the model
kvmatrix sees."""
import json
import sys

from allpairspy import AllPairs


def main():
    model = json.load(sys.stdin)
    sizes = model["sizes"]
    prefixes = set()
    for row in model["rows"]:
        for k in range(1, len(row) + 1):
            prefixes.add(tuple(row[:k]))

    def valid(partial):
        return tuple(partial) in prefixes

    parameters = [list(range(size)) for size in sizes]
    out = [list(row) for row in AllPairs(parameters, filter_func=valid, n=model.get("n", 2))]
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
