import { connectionVars, type Inventory, type InventoryHost } from '../../contracts/inventory.ts';
import { stringifySafeYaml } from '../../contracts/safe-yaml.ts';
import { ansibleSshCommonArgs } from '../../host/ssh.ts';
import { type Machine, sshTargetOf } from '../provider.ts';

// A plain Ansible inventory (YAML) for a set of machines: every host in `all`, its connection
// variables and its provider facts as host variables. Run inventories with groups by role are
// built by the runner; this one serves `kvmatrix vms up` and the providers' own tests.
export function renderInventory(machines: Machine[], vars: Record<string, unknown> = {}): string {
  const hosts: Record<string, InventoryHost> = {};
  for (const m of machines) {
    hosts[m.name] = { ...connectionVars(sshTargetOf(m)), kvmatrix_address: m.address, ...m.facts };
  }
  const all: Omit<Inventory['all'], 'children'> = {
    hosts,
    vars: {
      ansible_ssh_common_args: ansibleSshCommonArgs(),
      ansible_python_interpreter: '/usr/bin/python3',
      ...vars,
    },
  };
  return stringifySafeYaml({ all });
}
