// Entry of the console and the tenant portal: take a portal token from the fragment, then render the app.
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app.tsx";
import { takeTokenFromFragment } from "./session.ts";

takeTokenFromFragment();
render(<App />, document.getElementById("app")!);
