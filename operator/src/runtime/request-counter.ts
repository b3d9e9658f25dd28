// Counts API requests by verb (GET, POST, PUT, PATCH, DELETE, WATCH), for the benchmark.
export class RequestCounter {
  readonly byVerb = new Map<string, number>();
  total = 0;

  count(method: string, _path: string): void {
    this.byVerb.set(method, (this.byVerb.get(method) ?? 0) + 1);
    this.total++;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.byVerb].sort());
  }
}
