import { reportAtExit } from './exit-report.js';
import { watchCollections } from './gc-leaks.js';
import { installHost, type Host } from './platform/host.js';
import { settings } from './settings.js';
import { traceWhenAsked } from './trace.js';

/**
 * What every entry point does first: installs the runtime's host, reads the settings from its environment
 * (warning once about bad values), and starts the consumers of the record: the leak detector that watches
 * collections, and the exit report. Idempotent: a second entry point loaded beside the first changes nothing.
 */
export function start(runtime: Host): void {
	if (!installHost(runtime)) return;
	settings();
	watchCollections();
	reportAtExit();
	traceWhenAsked();
}
