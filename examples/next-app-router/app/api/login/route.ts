import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { signedIn, users } from "../../users";

// GET /api/login?user=alice (or bob) signs in: the example's stand-in for your sign-in.
export async function GET(request: Request): Promise<Response> {
  const user = new URL(request.url).searchParams.get("user") ?? "";
  if (!users.has(user)) return new Response("No such user", { status: 404 });
  const sid = crypto.randomUUID();
  signedIn.set(sid, user);
  (await cookies()).set("sid", sid, { httpOnly: true, sameSite: "lax" }); // and secure: true on https
  redirect("/");
}
