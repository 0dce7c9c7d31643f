// The error hierarchy lives in shared/core/errors.ts (core may import only core); this module
// re-exports it so the many importers outside core keep one short path.
export * from './core/errors.ts';
