import { describe, expect, it } from 'vitest';
import {
  cloneType,
  dataVolumeBound,
  dataVolumeFailure,
  vmFailure,
  vmiFailure,
  vmiProgress,
} from './machine-status.ts';

const dv = (status: Record<string, unknown>, annotations: Record<string, string> = {}) => ({
  metadata: { name: 'w1-rootdisk', annotations },
  status,
});
const cond = (type: string, status: string, reason = '', message = '') => ({ type, status, reason, message });

describe('DataVolume status', () => {
  it('is a failure in phase Failed, with the condition message', () => {
    const failure = dataVolumeFailure(
      dv({ phase: 'Failed', conditions: [cond('Running', 'False', 'Error', 'source PVC not found')] }),
    );
    expect(failure?.message).toBe('DataVolume w1-rootdisk failed: Error: source PVC not found');
  });

  it('is a failure when the worker pod stopped with an error or an image pull failure', () => {
    expect(
      dataVolumeFailure(
        dv({ phase: 'CloneInProgress', conditions: [cond('Running', 'False', 'Error', 'boom')] }),
      )?.reason,
    ).toBe('Error');
    expect(
      dataVolumeFailure(
        dv({ phase: 'ImportInProgress', conditions: [cond('Running', 'False', 'ImagePullFailed', 'x')] }),
      )?.reason,
    ).toBe('ImagePullFailed');
  });

  it('is a failure when the quota is exceeded', () => {
    expect(
      dataVolumeFailure(
        dv({
          phase: 'Pending',
          conditions: [cond('Bound', 'Unknown', 'ErrExceededQuota', 'exceeded quota: kvmatrix')],
        }),
      )?.reason,
    ).toBe('ErrExceededQuota');
  });

  it('is no failure while a clone is merely in progress or waiting for its consumer', () => {
    for (const phase of [
      'Pending',
      'CloneScheduled',
      'SnapshotForSmartCloneInProgress',
      'CSICloneInProgress',
      'WaitForFirstConsumer',
      'Succeeded',
    ]) {
      expect(
        dataVolumeFailure(dv({ phase, conditions: [cond('Running', 'False', 'Completed')] })),
      ).toBeUndefined();
    }
  });

  it('reads Bound and the clone strategy CDI chose', () => {
    expect(dataVolumeBound(dv({ conditions: [cond('Bound', 'True', 'Bound')] }))).toBe(true);
    expect(dataVolumeBound(dv({ conditions: [cond('Bound', 'False', 'Pending')] }))).toBe(false);
    expect(cloneType(dv({}, { 'cdi.kubevirt.io/cloneType': 'copy' }))).toBe('copy');
  });
});

describe('VMI and VM status', () => {
  const vmi = (status: Record<string, unknown>) => ({ metadata: { name: 'w1' }, status });

  it('reports an unschedulable VMI with the scheduler message', () => {
    const failure = vmiFailure(
      vmi({
        phase: 'Scheduling',
        conditions: [
          cond('PodScheduled', 'False', 'Unschedulable', '0/3 nodes are available: 3 Insufficient memory.'),
        ],
      }),
    );
    expect(failure).toMatchObject({
      kind: 'unschedulable',
      message: 'VMI w1 cannot be scheduled: 0/3 nodes are available: 3 Insufficient memory.',
    });
  });

  it('reports image pull errors from the Synchronized condition', () => {
    expect(
      vmiFailure(
        vmi({
          phase: 'Scheduling',
          conditions: [cond('Synchronized', 'False', 'ImagePullBackOff', 'Back-off pulling')],
        }),
      )?.kind,
    ).toBe('image-pull');
  });

  it('reads progress: scheduled, running, ready with an address', () => {
    expect(vmiProgress(vmi({ phase: 'Scheduling' }))).toEqual({
      scheduled: false,
      running: false,
      ready: false,
    });
    const ready = vmiProgress(
      vmi({
        phase: 'Running',
        nodeName: 'n1',
        interfaces: [{ ipAddress: '10.244.1.7' }],
        conditions: [cond('Ready', 'True')],
      }),
    );
    expect(ready).toEqual({
      scheduled: true,
      running: true,
      ready: true,
      address: '10.244.1.7',
      nodeName: 'n1',
    });
  });

  it('reports a VM stuck in an error status or with a Failure condition', () => {
    expect(
      vmFailure({ metadata: { name: 'w1' }, status: { printableStatus: 'DataVolumeError' } })?.reason,
    ).toBe('DataVolumeError');
    expect(
      vmFailure({
        metadata: { name: 'w1' },
        status: {
          printableStatus: 'Provisioning',
          conditions: [cond('Failure', 'True', 'FailedCreate', 'forbidden')],
        },
      })?.message,
    ).toBe('VirtualMachine w1: forbidden');
    expect(vmFailure({ metadata: { name: 'w1' }, status: { printableStatus: 'Starting' } })).toBeUndefined();
  });
});
