#!/usr/bin/env node
// The published `sealwatch` command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

// sealwatch supports Node 20 locally (Lambda runs 22); the SDK's reminder would drown the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { runCli } = await import('./main.ts');
await runCli(process.argv.slice(2));
