import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readRepoFile } from '../matrix/test-helpers.ts';
import { ciImageInputs, localCiImageTag } from './ci-image.ts';

// The parent pipeline pins the job image by the hash of its inputs; a change to the build script,
// the package list, the Python pins or the Node.js/npm versions must come with a new tag (and a
// rebuilt, pushed image: README.md, "CI").
describe('the CI job image', () => {
  it('is the one .gitlab-ci.yml names in KVMATRIX_CI_IMAGE', async () => {
    const parent = parse(readRepoFile('.gitlab-ci.yml')) as { variables: Record<string, string> };
    const { hash } = await ciImageInputs();
    expect(
      parent.variables.KVMATRIX_CI_IMAGE,
      'run `npx kvmatrix ci-image tag` and update .gitlab-ci.yml',
    ).toBe(`$CI_REGISTRY_IMAGE/kvmatrix-ci:${hash}`);
  });

  it('pins the Node.js of package-lock.json, and names the local image by the hash', async () => {
    const inputs = await ciImageInputs();
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { version: string }>;
    };
    expect(inputs.nodeVersion).toBe(lock.packages['node_modules/node']?.version);
    expect(inputs.nodeVersion).toMatch(/^24\./);
    expect(localCiImageTag(inputs)).toBe(`localhost/kvmatrix-ci:${inputs.hash}`);
  });
});
