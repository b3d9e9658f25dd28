import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ToolMissingError } from '../contracts/errors.ts';

// Assembles the root file systems of the images. Most images are `scratch` plus one static Go
// binary. kube-proxy runs iptables and conntrack, which are dynamically linked C programs: they
// are copied from this Debian machine's own packages (iptables, conntrack) together with every
// shared library ldd names and the xtables extension modules iptables loads at run time.

export interface RootfsFile {
  src: string;
  dest: string;
}

// The merged-/usr layout of Debian 12, so library paths from ldd work unchanged in the image.
const usrMergeLinks: Array<[string, string]> = [
  ['bin', 'usr/bin'],
  ['sbin', 'usr/sbin'],
  ['lib', 'usr/lib'],
  ['lib64', 'usr/lib64'],
];

export async function placeFiles(root: string, files: RootfsFile[]): Promise<void> {
  for (const file of files) {
    const target = path.join(root, file.dest);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(file.src, target);
  }
}

// Library paths a dynamically linked program needs, as `ldd` prints them.
export function parseLdd(output: string): string[] {
  const libraries = new Set<string>();
  for (const line of output.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(0x/.exec(line);
    const found = arrow?.[1] ?? bare?.[1];
    if (found) libraries.add(found);
  }
  return [...libraries];
}

async function librariesOf(file: string): Promise<string[]> {
  const result = await execa('ldd', [file], { reject: false });
  return result.exitCode === 0 ? parseLdd(String(result.stdout)) : [];
}

// In-image path of a host path: /lib/... and /lib64/... live under /usr in the merged layout.
function imagePath(hostPath: string): string {
  return hostPath.replace(/^\/(lib|lib64|bin|sbin)\//, '/usr/$1/');
}

const iptablesTools = [
  'iptables',
  'iptables-save',
  'iptables-restore',
  'ip6tables',
  'ip6tables-save',
  'ip6tables-restore',
];
const xtablesDir = '/usr/lib/x86_64-linux-gnu/xtables';

// Copies dynamically linked programs of this Debian host into a merged-/usr rootfs with every
// shared library ldd names (and the dynamic loader), at the same paths.
export async function addHostPrograms(
  root: string,
  programs: string[],
  extraFiles: string[] = [],
): Promise<void> {
  const absent = programs.filter((program) => !existsSync(program));
  if (absent.length)
    throw new ToolMissingError(absent.join(', '), 'npm run setup installs the Debian packages');
  for (const [link, target] of usrMergeLinks) {
    if (!existsSync(path.join(root, link))) await symlink(target, path.join(root, link));
  }
  const needed = new Set<string>([...programs, ...extraFiles]);
  for (const file of [...needed]) for (const lib of await librariesOf(file)) needed.add(lib);
  for (const file of needed) {
    const target = path.join(root, imagePath(file));
    await mkdir(path.dirname(target), { recursive: true });
    await rm(target, { force: true });
    await copyFile(await realpath(file), target);
  }
}

// Debian's static busybox with every applet it has as a symlink in /bin, except names in `keep`
// (programs the image carries as the real thing).
export async function addBusybox(root: string, keep: string[] = []): Promise<void> {
  const busybox = '/bin/busybox';
  if (!existsSync(busybox)) throw new ToolMissingError(busybox, 'apt-get install busybox-static');
  const list = await execa(busybox, ['--list']);
  const bin = path.join(root, 'usr', 'bin');
  await mkdir(bin, { recursive: true });
  if (!existsSync(path.join(root, 'bin'))) await symlink('usr/bin', path.join(root, 'bin'));
  await copyFile(busybox, path.join(bin, 'busybox'));
  for (const applet of String(list.stdout)
    .split('\n')
    .map((a) => a.trim())) {
    if (!applet || applet === 'busybox' || keep.includes(applet) || existsSync(path.join(bin, applet)))
      continue;
    await symlink('busybox', path.join(bin, applet));
  }
}

// /etc/passwd and /etc/group with root, nobody and any extra entries ("name:x:uid:gid::/:/bin/sh").
export async function addAccounts(root: string, users: string[] = [], groups: string[] = []): Promise<void> {
  await mkdir(path.join(root, 'etc'), { recursive: true });
  const passwd = [
    'root:x:0:0:root:/root:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
    ...users,
  ];
  const group = ['root:x:0:', 'nogroup:x:65534:', ...groups];
  await writeFile(path.join(root, 'etc', 'passwd'), `${passwd.join('\n')}\n`);
  await writeFile(path.join(root, 'etc', 'group'), `${group.join('\n')}\n`);
}

// /etc/nsswitch.conf in Debian's order, /etc/hosts before DNS (glibc without the file asks DNS
// first); glibc 2.34 and later have the files and dns modules built in, so nothing else is needed.
export async function addNameService(root: string): Promise<void> {
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await writeFile(
    path.join(root, 'etc', 'nsswitch.conf'),
    'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n',
  );
}

// Adds iptables (nf_tables backend by default, as Debian 12 and its kube-proxy nodes use;
// `iptables-legacy` beside it) and conntrack with their libraries to a rootfs.
export async function addIptables(root: string): Promise<void> {
  const programs = ['/usr/sbin/xtables-nft-multi', '/usr/sbin/xtables-legacy-multi', '/usr/sbin/conntrack'];
  const absent = programs.filter((program) => !existsSync(program));
  if (absent.length) {
    throw new ToolMissingError(
      absent.join(', '),
      'apt-get install iptables conntrack (the kube-proxy image copies them)',
    );
  }
  const modules = (await readdir(xtablesDir))
    .filter((f) => f.endsWith('.so'))
    .map((f) => path.join(xtablesDir, f));
  await addHostPrograms(root, programs, modules);
  for (const tool of iptablesTools) {
    await symlink('xtables-nft-multi', path.join(root, 'usr/sbin', tool));
    const legacy = tool.replace(/^(ip6?tables)/, '$1-legacy');
    await symlink('xtables-legacy-multi', path.join(root, 'usr/sbin', legacy));
    const nft = tool.replace(/^(ip6?tables)/, '$1-nft');
    await symlink('xtables-nft-multi', path.join(root, 'usr/sbin', nft));
  }
  // iptables and conntrack look up protocol and service names.
  for (const file of ['/etc/protocols', '/etc/services']) {
    if (existsSync(file)) await placeFiles(root, [{ src: file, dest: file }]);
  }
}
