"""A whole school year through the chain: the main job's input and its report.

- `kalenders`: two demo schools in regio midden with their real 2025-26 calendars,
  timetables and reason codes.
- `leerlingen`: made-up pupils (fabricated test data).
- `verzuim`: the seedable absence generator (`genereer_schooljaar`), a time-ordered
  stream of `Actie` objects in the registratie HTTP shape.
- `sisbestanden`: the same records as Eduarte CSV, Magister and SOMtoday JSON.
- `rapport` / `rapportgegevens`: the HTML report and the terminal summary.
"""
