// Progress lines for long provider work: plain, timestamped, on stderr (stdout carries results
// such as an inventory).
export function stderrLog(prefix: string): (line: string) => void {
  return (line: string) => {
    const time = new Date().toISOString().slice(11, 19);
    process.stderr.write(`[${time}] ${prefix}: ${line}\n`);
  };
}
