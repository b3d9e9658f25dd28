import { existsSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactSet } from './build-artifacts.ts';
import type { ImageRecipe } from './build-images.ts';
import { addAccounts, addBusybox, addHostPrograms, addNameService, type RootfsFile } from './rootfs.ts';

// The images the e2e framework runs, under the names and tags test/utils/image/manifest.go asks
// for, in the repository that KUBE_TEST_REPO_LIST's `promoterE2eRegistry` points at:
// <registry>/e2e-test-images/agnhost:<tag> and .../busybox:<tag>. Built only when the agnhost
// component is (the images of an artifact set without e2e tools stay as they were).
//
// Upstream's agnhost image is Alpine with bind-tools, curl, netcat, iproute2, iperf and bash
// (test/images/agnhost/Dockerfile); Alpine's packages cannot be fetched here, so the same
// commands come from this Debian host: curl, netcat-openbsd, dig, bash, ss and ip with their
// libraries, and busybox for sh, wget, nslookup and the rest. iperf is left out (no conformance
// spec uses it).
export const E2E_IMAGE_REPOSITORY = 'e2e-test-images';

// netcat-openbsd as upstream: busybox's nc has no -u, and the UDP specs run `nc -w 1 -u`.
// dig (bind9-dnsutils) as upstream's bind-tools: the DNS specs query with it.
const agnhostHostPrograms = [
  '/usr/bin/curl',
  '/usr/bin/bash',
  '/usr/bin/ss',
  '/usr/sbin/ip',
  '/usr/bin/nc.openbsd',
  '/usr/bin/dig',
  // The DNS /etc/hosts spec runs `getent hosts` in agnhost and jessie-dnsutils.
  '/usr/bin/getent',
];

// Stand-ins for upstream's Apache httpd and nginx test images, which are built from Docker Hub
// images that cannot be fetched here: busybox's httpd serving the same document root on port 80
// with an index.html, which is all the specs use (the StatefulSet specs break readiness by
// moving /usr/local/apache2/htdocs/index.html away and back). The tags are the framework's.
const webServers = [
  { name: 'httpd', tag: '2.4.38-4', root: '/usr/local/apache2/htdocs' },
  { name: 'httpd-new', image: 'httpd', tag: '2.4.39-4', root: '/usr/local/apache2/htdocs' },
  { name: 'nginx', tag: '1.14-4', root: '/usr/share/nginx/html' },
  { name: 'nginx-new', image: 'nginx', tag: '1.15-4', root: '/usr/share/nginx/html' },
];

function webServerRecipe(server: (typeof webServers)[number]): ImageRecipe {
  return {
    name: server.name,
    ...(server.image ? { image: server.image } : {}),
    repository: E2E_IMAGE_REPOSITORY,
    tag: server.tag,
    files: [],
    entrypoint: ['/bin/httpd', '-f', '-p', '80', '-h', server.root],
    hostInputs: ['/bin/busybox'],
    revision: 1,
    prepare: async (rootfs) => {
      await addBusybox(rootfs);
      await makeTmp(rootfs);
      await addAccounts(rootfs);
      await mkdir(path.join(rootfs, server.root), { recursive: true });
      await writeFile(
        path.join(rootfs, server.root, 'index.html'),
        '<html><body><h1>It works!</h1></body></html>\n',
      );
    },
  };
}

async function makeTmp(rootfs: string): Promise<void> {
  await mkdir(path.join(rootfs, 'tmp'));
  await chmod(path.join(rootfs, 'tmp'), 0o1777);
}

// agnhost's image (and nautilus', which is agnhost plus two files).
function agnhostRecipe(
  name: string,
  tag: string,
  bin: (name: string) => string,
  extraFiles: RootfsFile[],
): ImageRecipe {
  return {
    name,
    repository: E2E_IMAGE_REPOSITORY,
    tag,
    files: [
      { src: bin('agnhost'), dest: '/agnhost' },
      { src: bin('agnhost-localhost.crt'), dest: '/localhost.crt' },
      { src: bin('agnhost-localhost.key'), dest: '/localhost.key' },
      // Upstream ships CoreDNS at /coredns for the DNS specs; ours is the artifact set's.
      { src: bin('coredns'), dest: '/coredns' },
      ...extraFiles,
    ],
    entrypoint: ['/agnhost'],
    cmd: ['pause'],
    hostInputs: ['/bin/busybox', ...agnhostHostPrograms],
    revision: 6,
    prepare: async (rootfs) => {
      await addHostPrograms(rootfs, agnhostHostPrograms);
      await addNameService(rootfs);
      await symlink('nc.openbsd', path.join(rootfs, 'usr', 'bin', 'nc'));
      // Debian's busybox shell runs its own applets before PATH (a standalone shell), so its nc
      // would win over netcat-openbsd: /bin/sh is bash here.
      await symlink('bash', path.join(rootfs, 'usr', 'bin', 'sh'));
      await addBusybox(rootfs);
      // The entrypoint-tester specs run the image with `agnhost-2` as entrypoint.
      await symlink('agnhost', path.join(rootfs, 'agnhost-2'));
      await mkdir(path.join(rootfs, 'uploads'));
      await makeTmp(rootfs);
      // The SupplementalGroups specs expect this user and group to be defined in the image.
      await addAccounts(
        rootfs,
        ['user-defined-in-image:x:1000:1000::/home/user-defined-in-image:/bin/sh'],
        ['user-defined-in-image:x:1000:', 'group-defined-in-image:x:50000:user-defined-in-image'],
      );
    },
  };
}

export function listE2eImageRecipes(set: ArtifactSet): ImageRecipe[] {
  const { release } = set.manifest;
  const bin = (name: string) => path.join(set.binDir, name);
  if (!release.e2e || !existsSync(bin('agnhost'))) return [];
  return [
    agnhostRecipe('agnhost', release.e2e.agnhost, bin, []),
    // Upstream's nautilus is agnhost serving its working directory (test-webserver) with these.
    {
      ...agnhostRecipe('nautilus', '1.7', bin, [
        { src: bin('nautilus-data.json'), dest: '/data.json' },
        { src: bin('nautilus-nautilus.jpg'), dest: '/nautilus.jpg' },
      ]),
      cmd: ['test-webserver'],
    },
    {
      // Upstream's is Alpine with nnp setuid root; busybox stands in for Alpine.
      name: 'nonewprivs',
      repository: E2E_IMAGE_REPOSITORY,
      tag: '1.3',
      files: [{ src: bin('nnp'), dest: '/usr/local/bin/nnp' }],
      entrypoint: [],
      cmd: ['nnp'],
      hostInputs: ['/bin/busybox'],
      revision: 1,
      prepare: async (rootfs) => {
        await chmod(path.join(rootfs, 'usr/local/bin/nnp'), 0o4755);
        await addBusybox(rootfs);
        await makeTmp(rootfs);
        await addAccounts(rootfs);
      },
    },
    {
      // Upstream's is busybox on its own; this one is Debian's busybox-static (1.35), tagged as
      // the framework asks, because what the specs run are its applets.
      name: 'busybox',
      repository: E2E_IMAGE_REPOSITORY,
      tag: release.e2e.busybox,
      files: [],
      entrypoint: [],
      cmd: ['sh'],
      hostInputs: ['/bin/busybox', '/usr/bin/bash'],
      revision: 3,
      prepare: async (rootfs) => {
        // /bin/sh is bash: Debian's busybox shell runs `env` as an applet inside itself and prints
        // only the variables it could import, so the ConfigMap and Secret specs' `sh -c env` lost
        // the environment names with a dash (data-1); upstream's busybox execs env, as bash does.
        await addHostPrograms(rootfs, ['/usr/bin/bash']);
        await symlink('bash', path.join(rootfs, 'usr', 'bin', 'sh'));
        await addBusybox(rootfs);
        await makeTmp(rootfs);
        await addAccounts(rootfs);
      },
    },
    {
      // Upstream's is Debian jessie with dnsutils; the DNS specs run sh loops of dig in it.
      name: 'jessie-dnsutils',
      repository: E2E_IMAGE_REPOSITORY,
      tag: '1.7',
      files: [],
      entrypoint: [],
      cmd: ['sh'],
      hostInputs: ['/bin/busybox', '/usr/bin/dig', '/usr/bin/getent'],
      revision: 2,
      prepare: async (rootfs) => {
        await addHostPrograms(rootfs, ['/usr/bin/dig', '/usr/bin/getent']);
        await addNameService(rootfs);
        await addBusybox(rootfs);
        await makeTmp(rootfs);
        await addAccounts(rootfs);
      },
    },
    ...webServers.map(webServerRecipe),
  ];
}
