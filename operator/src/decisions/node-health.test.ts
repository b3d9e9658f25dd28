import { describe, expect, it } from 'vitest';
import { nodeFact } from './node-health.ts';

describe('nodeFact', () => {
  it('is not ready without a Node or without a Ready condition', () => {
    expect(nodeFact('n', undefined)).toMatchObject({ ready: false, reason: 'NodeNotFound' });
    expect(nodeFact('n', { metadata: { name: 'n' }, status: {} })).toMatchObject({
      ready: false,
      reason: 'NoReadyCondition',
    });
  });
  it('follows the Ready condition and mentions pressure conditions', () => {
    const node = {
      metadata: { name: 'n' },
      status: {
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady' },
          { type: 'DiskPressure', status: 'True' },
        ],
      },
    };
    expect(nodeFact('n', node)).toEqual({
      name: 'n',
      ready: true,
      reason: 'KubeletReady',
      message: 'conditions: DiskPressure',
    });
  });
});
