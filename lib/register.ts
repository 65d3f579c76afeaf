/**
 * Preload entry: `node --import reftrace/register app.js`.
 * Configured only by REFTRACE_* environment variables (read when reftrace loads): full tracking by
 * default, the exit report, a report on SIGINT/SIGTERM, and a live dump on SIGUSR2.
 */
import { installDumpSignal, installExitHook, installSignalHandlers } from './exit.js';

installExitHook();
installSignalHandlers();
installDumpSignal();
