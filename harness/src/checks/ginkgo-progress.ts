// Follows ginkgo's default (succinct) output to tell how far a suite is: its header says
// "Will run N of M specs", and every spec that finishes prints one "•" (a failed or flaky one
// prints it before its report). Skipped specs print nothing under --silence-skips.
export class GinkgoProgress {
  selected: number | undefined;
  done = 0;
  failed = 0;

  read(text: string): void {
    const header = /Will run (\d+) of \d+ specs/.exec(text);
    if (header) this.selected = Number(header[1]);
    for (const ch of text) if (ch === '•') this.done += 1;
    this.failed += (text.match(/\[FAILED\]/g) ?? []).length;
  }

  describe(label: string, elapsedMs: number): string {
    const of = this.selected === undefined ? '' : ` of ${this.selected}`;
    const failed = this.failed ? `, ${this.failed} failure report(s)` : '';
    return `${label}: ${this.done}${of} specs finished${failed} after ${Math.round(elapsedMs / 60_000)} min`;
  }
}
