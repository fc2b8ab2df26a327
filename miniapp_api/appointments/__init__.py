"""Hospital appointments: hospitals, departments, doctors, slots, patients, bookings, FHIR."""
