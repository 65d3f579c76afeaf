import vm from 'node:vm';

/**
 * Whether `vm` can run ES modules (`--experimental-vm-modules`): the flag Jest needs to import an ES module
 * into a test's sandbox, and the check Jest itself makes.
 */
export function vmModulesEnabled(): boolean {
	return typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function';
}
