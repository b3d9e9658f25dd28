import { describe, expect, it } from 'vitest';
import { resolveStepVars } from './step-vars.ts';

describe('resolveStepVars', () => {
  it('lets the step variables win over the run and the cell', () => {
    const vars = resolveStepVars(
      { kube_version: '1.34.4', network_plugin: 'bridge', kvmatrix_registry: 'cell-value' },
      {
        id: 'deploy-previous',
        kind: 'deploy',
        playbook: 'cluster.yml',
        checks: [],
        vars: { kube_version: '1.33.13' },
      },
      { kvmatrix_registry: '10.0.0.1:5000' },
    );
    expect(vars).toMatchObject({
      kube_version: '1.33.13',
      network_plugin: 'bridge',
      kvmatrix_registry: '10.0.0.1:5000',
      kvmatrix_step: 'deploy-previous',
    });
  });

  it('passes the nodes of a scale step to the playbook', () => {
    const vars = resolveStepVars(
      {},
      { id: 'add', kind: 'scale-up', playbook: 'scale.yml', checks: [], nodes: ['w2'] },
      {},
    );
    expect(vars.kvmatrix_step_nodes).toEqual(['w2']);
  });
});
