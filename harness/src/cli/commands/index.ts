import type { Command } from 'commander';

// One subcommand: its name and the line the top-level help shows, and how to load the file that
// registers it. Loading is deferred so that `kvmatrix <command>` imports only that command's
// module graph (the providers, the runner, the Kubernetes client, ...), and `kvmatrix --help`
// imports none of them.
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<(program: Command) => void>;
}

// The one place that lists the subcommands; each lives in a file of its own beside this one.
// Keep one entry per line so that parallel work merges cleanly. A test checks that every entry
// registers exactly the command it names.
// biome-ignore format: one line per command keeps parallel additions from conflicting
export const commandEntries: CommandEntry[] = [
  { name: 'matrix', summary: 'inspect the test matrix (cells, tiers, resolved cells)', load: async () => (await import('./matrix.ts')).registerMatrixCommand },
  { name: 'lint', summary: 'lint the Ansible deployment code (ansible-lint, yamllint, shellcheck, syntax check, ...)', load: async () => (await import('./lint.ts')).registerLintCommand },
  { name: 'select', summary: 'list the cells of a tier that a change can affect (--explain: why)', load: async () => (await import('./select.ts')).registerSelectCommand },
  { name: 'generate', summary: 'write the GitLab child pipelines of a tier and plan.json', load: async () => (await import('./generate.ts')).registerGenerateCommand },
  { name: 'operator', summary: 'the Kubernetes operator that runs the playbooks as Jobs', load: async () => (await import('./operator.ts')).registerOperatorCommand },
  { name: 'report', summary: 'merge the result records of a pipeline into JUnit, Markdown, HTML and JSON reports', load: async () => (await import('./report.ts')).registerReportCommand },
  { name: 'vms', summary: 'make, list and remove machines from a local provider', load: async () => (await import('./vms.ts')).registerVmsCommand },
  { name: 'reap', summary: 'remove machines, networks and files that dead runs left behind', load: async () => (await import('./reap.ts')).registerReapCommand },
  { name: 'images', summary: 'build and list the golden node images of local providers', load: async () => (await import('./images.ts')).registerImagesCommand },
  { name: 'artifacts', summary: 'build and serve the offline Kubernetes artifact set (binaries, images, mirror)', load: async () => (await import('./artifacts.ts')).registerArtifactsCommand },
  { name: 'testbed', summary: 'start or stop a local etcd + kube-apiserver + kube-controller-manager', load: async () => (await import('./testbed.ts')).registerTestbedCommand },
  { name: 'run', summary: 'run one matrix cell end to end: machines up, steps with checks, reports, machines down', load: async () => (await import('./run.ts')).registerRunCommand },
  { name: 'ssh', summary: 'open a shell, or run a command, on a machine kept by `kvmatrix run --keep`', load: async () => (await import('./ssh.ts')).registerSshCommand },
  { name: 'down', summary: 'tear down the machines of a kept (or killed) run of a cell; idempotent', load: async () => (await import('./down.ts')).registerDownCommand },
  { name: 'gate', summary: 'run every cell of a tier and write a release report; exit 0 only if all passed', load: async () => (await import('./gate.ts')).registerGateCommand },
  { name: 'conformance', summary: "the conformance set of a Kubernetes version's artifact set", load: async () => (await import('./conformance.ts')).registerConformanceCommand },
  { name: 'lab', summary: 'the KubeVirt lab: KubeVirt and CDI built from their Go modules, on podman node containers', load: async () => (await import('./lab.ts')).registerLabCommand },
  { name: 'ci-image', summary: 'build, name and push the CI job image (.ci/image)', load: async () => (await import('./ci-image.ts')).registerCiImageCommand },
];

// Registers the commands `argv` needs in full (the one it names, or all when `which` is 'all')
// and the others as stubs that only carry their name and summary, for the top-level help and
// commander's "did you mean" on a mistyped name.
export async function registerCommands(program: Command, which: string): Promise<void> {
  for (const entry of commandEntries) {
    if (which === 'all' || which === entry.name) {
      (await entry.load())(program);
      program.commands.at(-1)?.summary(entry.summary);
    } else {
      program.command(entry.name).summary(entry.summary).helpOption(false);
    }
  }
}

// The subcommand an argument vector names: the first word that is not an option (the program
// itself takes no option with a value), or the word after `help`.
export function commandNamed(argv: readonly string[]): string | undefined {
  const words = argv.filter((w) => !w.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}
