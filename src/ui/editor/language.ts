/** The RISC-V assembly language for Monaco: tokens from the ISA table (src/isa/keywords.ts). */
import type * as Monaco from 'monaco-editor/editor/editor.api';
import { KEYWORDS } from '../../isa';

export const LANGUAGE_ID = 'riscv-asm';

export function registerRiscvLanguage(monaco: typeof Monaco): void {
  if (monaco.languages.getLanguages().some((l) => l.id === LANGUAGE_ID)) return;
  monaco.languages.register({ id: LANGUAGE_ID, extensions: ['.s', '.S', '.asm'], aliases: ['RISC-V assembly'] });
  monaco.languages.setLanguageConfiguration(LANGUAGE_ID, {
    comments: { lineComment: '#', blockComment: ['/*', '*/'] },
    brackets: [['(', ')']],
    autoClosingPairs: [{ open: '(', close: ')' }, { open: '"', close: '"' }, { open: "'", close: "'" }],
    wordPattern: /(-?\d*\.\d\w*)|([^\s,()#;"'`~!@$^&*\-=+[{\]}\\|<>/?]+)/g,
  });
  monaco.languages.setMonarchTokensProvider(LANGUAGE_ID, {
    ignoreCase: true,
    instructions: [...KEYWORDS.mnemonics, ...KEYWORDS.pseudoInstructions, 'move', 'sgt', 'sgtu', 'sbreak', 'scall', 'jal', 'jalr'],
    registers: [...KEYWORDS.registers],
    csrs: [...KEYWORDS.csrs],
    directives: [...KEYWORDS.directives, '.ident', '.attribute', '.fill', '.equiv', '.int', '.long', '.end'],
    relocations: [...KEYWORDS.relocations],
    tokenizer: {
      root: [
        [/^\s*[A-Za-z_.$][\w.$]*:/, 'type.identifier'],
        [/^\s*\d+:/, 'type.identifier'],
        [/#.*$/, 'comment'],
        [/\/\/.*$/, 'comment'],
        [/\/\*/, 'comment', '@comment'],
        [/%[a-z_]+/, { cases: { '@relocations': 'keyword.operator', '@default': 'invalid' } }],
        [/\.[A-Za-z_][\w.]*/, { cases: { '@directives': 'keyword.directive', '@default': 'identifier' } }],
        [/[A-Za-z_][\w.]*/, { cases: { '@instructions': 'keyword', '@registers': 'variable.register', '@csrs': 'variable.csr', '@default': 'identifier' } }],
        [/0x[0-9a-fA-F]+|0b[01]+|\d+[bf]?/, 'number'],
        [/"([^"\\]|\\.)*"/, 'string'],
        [/'([^'\\]|\\.)*'/, 'string'],
        [/[,()]/, 'delimiter'],
        [/[-+*/%<>=!&|^~]/, 'operator'],
      ],
      comment: [
        [/\*\//, 'comment', '@pop'],
        [/./, 'comment'],
      ],
    },
  });
  monaco.editor.defineTheme('rewind-dark', {
    base: 'vs-dark', inherit: true,
    rules: [
      { token: 'keyword', foreground: '5ec4ff' },
      { token: 'keyword.directive', foreground: 'c586c0' },
      { token: 'keyword.operator', foreground: 'd7ba7d' },
      { token: 'variable.register', foreground: 'f2b36b' },
      { token: 'variable.csr', foreground: 'e0a36b', fontStyle: 'italic' },
      { token: 'type.identifier', foreground: 'dcdcaa', fontStyle: 'bold' },
      { token: 'number', foreground: 'b5cea8' },
      { token: 'comment', foreground: '6a9955' },
    ],
    colors: { 'editor.background': '#16181d', 'editorGutter.background': '#16181d', 'editorLineNumber.foreground': '#59606e' },
  });
}
