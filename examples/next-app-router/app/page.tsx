import { Verify } from "./verify";

export default function Home() {
  return (
    <main>
      <h1>Verify your identity</h1>
      <Verify />
    </main>
  );
}
