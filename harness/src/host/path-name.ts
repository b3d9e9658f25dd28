import { UsageError } from '../contracts/errors.ts';
import { quoteValue } from '../contracts/safe-text.ts';

// A name that becomes one folder or file name under kvmatrix's state or cache: letters, digits
// and . _ + @ = , - (what cell, run, machine and version names use), not starting with a dot or
// a dash, at most 200 characters. So `../../x`, `a/b`, an empty name or one with control
// characters never resolves outside the folder it is joined to.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._+@=,-]{0,199}$/;

export function isPathName(name: string): boolean {
  return SEGMENT.test(name);
}

// Throws a usage error naming what the name is for; returns the name for chaining.
export function checkPathName(name: string, what = 'name'): string {
  if (!isPathName(name)) {
    throw new UsageError(`${quoteValue(name)} is not a valid ${what}`, {
      hint: `a ${what} holds letters, digits and . _ - (at most 200), like those \`kvmatrix matrix list\` prints`,
    });
  }
  return name;
}
