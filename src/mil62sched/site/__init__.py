"""The site: its working days (public holidays and adjusted working days, from the `holidays`
package, cached per user) and its infusion chairs."""
