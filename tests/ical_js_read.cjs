// Reads an iCalendar stream on stdin with Mozilla's ical.js (Thunderbird's parser) and prints
// what a calendar client shows, as JSON: the calendar's name and description, and each event's
// uid, sequence, status, summary, location, description and start (UTC ISO).
// Used through tests/ical_js.py; node_modules comes from package.json (`make install-dev`).
const path = require("path");
const ICAL = require(path.join(process.cwd(), "node_modules", "ical.js")).default;

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const calendar = new ICAL.Component(ICAL.parse(input));
  const text = (component, name) => {
    const value = component.getFirstPropertyValue(name);
    return value === null ? null : String(value);
  };
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const start = vevent.getFirstPropertyValue("dtstart");
    return {
      uid: text(vevent, "uid"),
      sequence: vevent.getFirstPropertyValue("sequence"),
      status: text(vevent, "status"),
      summary: text(vevent, "summary"),
      location: text(vevent, "location"),
      description: text(vevent, "description"),
      start: start ? start.toJSDate().toISOString() : null,
    };
  });
  process.stdout.write(
    JSON.stringify({
      name: text(calendar, "x-wr-calname"),
      description: text(calendar, "x-wr-caldesc"),
      events,
    }),
  );
});
