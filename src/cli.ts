#!/usr/bin/env node
// The ringbench command: see cli/main.ts for the commands and cli/*.ts for each one.
import './cli/main.js';
