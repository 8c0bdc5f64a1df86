/*
 * Preloaded into a back end (NODE_OPTIONS=--require …/gcTraceHook.js) to
 * log V8's garbage collections as --trace-gc does: NODE_OPTIONS refuses
 * --trace-gc itself, V8 takes it at run time.
 */
'use strict';

require('node:v8').setFlagsFromString('--trace-gc');
