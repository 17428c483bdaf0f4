/** The application modules' exports, as src/index.ts will re-export them (used by the example runners). */
export * from '../../src/applications/task-sequence.js';
export * from '../../src/applications/forgetting.js';
export * from '../../src/applications/reversed-task.js';
export * from '../../src/applications/hierarchical-task.js';
export * from '../../src/applications/permuted-task.js';
export * from '../../src/applications/feature-flip.js';
export * from '../../src/applications/transfer.js';
export * from '../../src/applications/standard-init.js';
