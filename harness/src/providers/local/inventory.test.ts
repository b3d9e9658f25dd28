import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderInventory } from './inventory.ts';

describe('the inventory of a machine set', () => {
  it('lists each host with its connection variables and facts', () => {
    const yaml = renderInventory(
      [
        {
          name: 'a-1',
          address: '10.200.0.10',
          sshHost: '10.200.0.10',
          sshPort: 22,
          sshUser: 'root',
          sshKeyFile: '/s/id_ed25519',
          facts: { kvmatrix_node_is_container: true, kvmatrix_provider: 'podman' },
        },
      ],
      { kvmatrix_artifact_host: '10.200.0.1' },
    );
    const inv = parse(yaml);
    expect(inv.all.hosts['a-1']).toMatchObject({
      ansible_host: '10.200.0.10',
      ansible_port: 22,
      ansible_user: 'root',
      ansible_ssh_private_key_file: '/s/id_ed25519',
      kvmatrix_node_is_container: true,
      kvmatrix_provider: 'podman',
    });
    expect(inv.all.vars.kvmatrix_artifact_host).toBe('10.200.0.1');
    expect(inv.all.vars.ansible_ssh_common_args).toContain('StrictHostKeyChecking=no');
  });
});
