import { describe, expect, it } from 'vitest';
import type { Machine } from '../../src/api/v1alpha1/machine.ts';
import type { MachineSet } from '../../src/api/v1alpha1/machine-set.ts';
import {
  clusterDeploymentsType,
  machineSetsType,
  machinesType,
} from '../../src/controllers/resource-types.ts';
import { clusterDeploymentObject, machineObject } from '../builders.ts';
import { createTestNamespace, startOperator, testbedConfigured, waitFor } from '../test-env.ts';

describe.skipIf(!testbedConfigured())('claiming machines', () => {
  it('never binds one machine twice when 50 ClusterDeployments race for 100 Idle machines', {
    timeout: 240_000,
  }, async () => {
    const t = await createTestNamespace('claims');
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.client.create(
          machinesType,
          t.name,
          machineObject(`m${String(i).padStart(3, '0')}`, { pool: 'race' }),
        ),
      ),
    );

    // Every claim a machine ever gets, as the API server saw it: a machine may go from unclaimed to
    // claimed, never from one claim straight to another.
    const history = new Map<string, Array<string | null>>();
    const abort = new AbortController();
    const listed = await t.client.list<Machine>(machinesType, t.name);
    const watching = t.client.watch(
      machinesType,
      t.name,
      { resourceVersion: listed.metadata.resourceVersion },
      (event) => {
        const m = event.object as unknown as Machine;
        const claim = m.spec?.claimRef
          ? `${m.spec.claimRef.clusterName}/${m.spec.claimRef.machineSet}`
          : null;
        const seen = history.get(m.metadata.name) ?? [null];
        if (seen.at(-1) !== claim) seen.push(claim);
        history.set(m.metadata.name, seen);
      },
      abort.signal,
    );

    // Two operators at once, without leader election: their caches race each other too, and only
    // the resourceVersion precondition of each claim keeps them apart.
    startOperator(t, ['--no-leader-elect']);
    startOperator(t, ['--no-leader-elect']);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.client.create(
          clusterDeploymentsType,
          t.name,
          clusterDeploymentObject(`c${String(i).padStart(2, '0')}`, [
            { name: 'cp', role: 'control-plane', replicas: 1, pool: 'race' },
            { name: 'workers', role: 'worker', replicas: 1, pool: 'race' },
          ]),
        ),
      ),
    );

    await waitFor(
      'all 100 machines bound',
      async () =>
        (await t.client.list<Machine>(machinesType, t.name)).items.filter((m) => m.spec.claimRef).length ===
        100,
      180_000,
    );
    const sets = await waitFor(
      'every MachineSet reporting one machine',
      async () => {
        const list = (await t.client.list<MachineSet>(machineSetsType, t.name)).items;
        return list.length === 100 && list.every((s) => s.status?.replicas === 1) ? list : undefined;
      },
      60_000,
    );
    abort.abort();
    await watching;

    const machines = (await t.client.list<Machine>(machinesType, t.name)).items;
    const bySet = new Map<string, string[]>();
    for (const m of machines) {
      const set = m.spec.claimRef?.machineSet as string;
      bySet.set(set, [...(bySet.get(set) ?? []), m.metadata.name]);
    }
    expect(bySet.size).toBe(100);
    for (const names of bySet.values()) expect(names).toHaveLength(1);
    const reported = sets.flatMap((s) => s.status?.machines ?? []);
    expect(new Set(reported).size).toBe(100);
    // A machine may be released and claimed again (an over-claim by a stale cache is given back),
    // but never pass from one owner to another without being released in between.
    let steals = 0;
    for (const [name, claims] of history) {
      for (let k = 1; k < claims.length; k++) {
        if (claims[k - 1] !== null && claims[k] !== null) {
          steals++;
          process.stderr.write(`${name}: ${claims[k - 1]} -> ${claims[k]}\n`);
        }
      }
    }
    expect(steals).toBe(0);
    expect(history.size).toBe(100);
  });
});
