/** Placeholder page until the IDE issue lands: names the product and where the CLI is. */
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: '2rem', maxWidth: '48rem' }}>
      <h1>Rewind</h1>
      <p>A time-travel debugger for RISC-V. The IDE is under construction; the command-line tool works today:</p>
      <pre>npx rewind run public/examples/hello.elf</pre>
    </main>
  );
}
