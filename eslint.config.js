// Lint rules, including the import boundaries of DESIGN.md section 1:
// isa <- asm, elf, core <- replay <- gdb, storage <- workers <- (API types only) ui.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Layers a directory must not import from. */
const forbidden = {
  'src/isa': ['asm', 'elf', 'core', 'replay', 'gdb', 'storage', 'cli', 'ui', 'workers'],
  'src/elf': ['asm', 'core', 'replay', 'gdb', 'storage', 'cli', 'ui', 'workers'],
  'src/asm': ['core', 'replay', 'gdb', 'storage', 'cli', 'ui', 'workers'],
  'src/core': ['asm', 'elf', 'replay', 'gdb', 'storage', 'cli', 'ui', 'workers'],
  'src/replay': ['asm', 'gdb', 'storage', 'cli', 'ui', 'workers'],
  'src/gdb': ['asm', 'storage', 'cli', 'ui', 'workers'],
  'src/storage': ['asm', 'gdb', 'cli', 'ui', 'workers'],
  'src/cli': ['ui', 'workers'],
  'workers': ['ui', 'cli', 'gdb'],
  'src/ui': ['asm', 'elf', 'core', 'replay', 'gdb', 'storage', 'cli'],
};

const boundaryConfigs = Object.entries(forbidden).map(([dir, layers]) => ({
  files: [`${dir}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: layers.flatMap((layer) => {
        const target = layer === 'workers' ? 'workers' : `src/${layer}`;
        return [{
          regex: `(^|/)(\\.\\./)*${layer === 'workers' ? 'workers' : `(src/)?${layer}`}(/|$)`,
          message: `${dir} must not import from ${target} (DESIGN.md section 1).`,
        }];
      }),
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'playwright-report/**', 'examples/build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The core is deterministic: no clock, no randomness, no async.
    files: ['src/core/**/*.ts', 'src/isa/**/*.ts', 'src/replay/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error',
        { name: 'Date', message: 'The core has no clock: time is derived from the instruction count.' },
        { name: 'setTimeout', message: 'The core has no async.' },
        { name: 'setInterval', message: 'The core has no async.' },
        { name: 'performance', message: 'The core has no clock.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'The core has no randomness: inputs come through the input port.' },
      ],
    },
  },
  ...boundaryConfigs,
);
