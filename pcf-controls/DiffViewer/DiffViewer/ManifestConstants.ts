// Property names from ControlManifest.Input.xml, in one place so index.ts and tests agree.
export const ManifestConstants = {
  diffJson: 'diffJson',
  wizardState: 'wizardState',
} as const;
