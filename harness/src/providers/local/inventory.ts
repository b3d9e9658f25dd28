import { stringify } from 'yaml';
import type { Machine } from '../provider.ts';
import { SSH_OPTIONS } from '../../host/ssh.ts';

// A plain Ansible inventory (YAML) for a set of machines: every host in `all`, its connection
// variables and its provider facts as host variables. Run inventories with groups by role are
// built by the runner; this one serves `kvmatrix vms up` and the providers' own tests.
export function renderInventory(machines: Machine[], vars: Record<string, unknown> = {}): string {
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const m of machines) {
    hosts[m.name] = {
      ansible_host: m.sshHost,
      ansible_port: m.sshPort,
      ansible_user: m.sshUser,
      ansible_ssh_private_key_file: m.sshKeyFile,
      kvmatrix_address: m.address,
      ...m.facts,
    };
  }
  return stringify({
    all: {
      hosts,
      vars: {
        ansible_ssh_common_args: SSH_OPTIONS.filter((o) => o !== '-o')
          .map((o) => `-o ${o}`)
          .join(' '),
        ansible_python_interpreter: '/usr/bin/python3',
        ...vars,
      },
    },
  });
}
