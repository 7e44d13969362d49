/**
 * fleet-cli — `ringbench fleet`: hands the flags to fleet/fleet.ts with the common signal handling
 * (cli/signals.ts) and turns its errors into one line: bad input exit 2, a controller that cannot
 * run a fleet (no Ansible, no git checkout) exit 1.
 */
import { FleetSetupError, FleetUsageError, fleetCommand as runFleet, type FleetOptions } from '../fleet/fleet.js';
import { EXIT, oneLine, reportError } from './errors.js';
import { onInterrupt } from './signals.js';

export async function fleetCommand(opts: FleetOptions): Promise<number> {
  try {
    return await runFleet(opts, (l) => process.stderr.write(`${l}\n`), (stop) => onInterrupt(stop, 'stopping the playbook; what was fetched is kept'));
  } catch (e) {
    if (e instanceof FleetUsageError) {
      process.stderr.write(`${oneLine(e.message)}\n`);
      return EXIT.usage;
    }
    if (e instanceof FleetSetupError) {
      process.stderr.write(`${oneLine(e.message)}\n`);
      return EXIT.failed;
    }
    return reportError(e);
  }
}
