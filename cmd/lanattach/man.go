package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// manIntro, manExit and manFiles are the parts of the man pages that no
// command definition holds.
const (
	manIntro = "lanattach gives a container a real leg on the host's LAN: it creates a macvlan or ipvlan slave " +
		"off a parent interface (or an 802.1q sub-interface it makes), directly inside the target's network namespace, " +
		"assigns addresses and routes, and checks every address for clashes (host, sibling slaves, ARP probes, IPv6 DAD) " +
		"before the container may use it. It marks every link it creates and only ever deletes marked links.\n\n" +
		"Each command prints text for people, or with -o json exactly one JSON object on stdout. " +
		"Root (CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN) is needed."
	manExit = "0 done (probe: every address free; doctor: no check failed); " +
		"1 failed at run time, everything changed undone; 2 bad input, nothing changed; 3 address clash found, nothing left changed."
	manFiles = "/run/netns/NAME is the named netns --netns NAME refers to."
)

// manPages renders lanattach(8) and lanattach-COMMAND(8) for every
// visible command of app, by file name, from the definitions --help uses.
func manPages(app *cli.App) map[string]string {
	cmds := app.VisibleCommands()
	var list strings.Builder
	seeAlso := []string{}
	for _, c := range cmds {
		list.WriteString(roffTagged(`\fB`+roffText(c.Name)+`\fR`, c.Usage+". See lanattach-"+c.Name+"(8)."))
		seeAlso = append(seeAlso, "lanattach-"+c.Name+"(8)")
	}
	pages := map[string]string{"lanattach.8": roffPage("lanattach", app.Usage,
		`\fBlanattach\fR [\fIGLOBAL OPTIONS\fR] \fICOMMAND\fR [\fIOPTIONS\fR]`,
		section("DESCRIPTION", roffPara(manIntro)),
		section("GLOBAL OPTIONS", roffFlags(app.VisibleFlags())),
		section("COMMANDS", list.String()),
		section("EXIT STATUS", roffPara(manExit)),
		section("FILES", roffPara(manFiles)),
		section("SEE ALSO", roffPara(strings.Join(append(seeAlso, "ip(8)", "ip-netns(8)"), ", "))))}
	for _, c := range cmds {
		desc := c.Usage + "."
		if c.Description != "" {
			desc += "\n\n" + c.Description
		}
		pages["lanattach-"+c.Name+".8"] = roffPage("lanattach-"+c.Name, c.Usage,
			`\fBlanattach\fR [\fIGLOBAL OPTIONS\fR] \fB`+roffText(c.Name)+`\fR [\fIOPTIONS\fR]`,
			section("DESCRIPTION", roffPara(desc)),
			section("OPTIONS", roffFlags(append(c.VisibleFlags(), cli.HelpFlag))),
			section("EXIT STATUS", roffPara(manExit)),
			section("SEE ALSO", roffPara("lanattach(8)")))
	}
	return pages
}

// section is a man page section in roff.
func section(title, body string) string { return ".SH " + title + "\n" + body }

// roffPage is a whole section-8 page: header, NAME, SYNOPSIS, sections.
func roffPage(name, summary, synopsis string, sections ...string) string {
	head := fmt.Sprintf(".TH %s 8 \"\" \"lanattach %s\" \"System Administration\"\n", strings.ToUpper(roffText(name)), roffText(version))
	head += section("NAME", roffText(name)+` \- `+roffText(summary)+"\n")
	head += section("SYNOPSIS", synopsis+"\n")
	return head + strings.Join(sections, "")
}

// roffFlags lists flags as --help shows them: names and placeholder in
// bold, then usage with the default.
func roffFlags(flags []cli.Flag) string {
	var b strings.Builder
	for _, f := range flags {
		names, usage, _ := strings.Cut(cli.FlagStringer(f), "\t")
		b.WriteString(roffTagged(`\fB`+roffText(names)+`\fR`, usage))
	}
	return b.String()
}

// roffTagged is an indented paragraph with a tag line.
func roffTagged(tag, text string) string { return ".TP\n" + tag + "\n" + roffText(text) + "\n" }

// roffPara is text as paragraphs; blank lines separate them.
func roffPara(text string) string {
	var b strings.Builder
	for _, p := range strings.Split(text, "\n\n") {
		b.WriteString(".PP\n" + roffText(strings.ReplaceAll(p, "\n", " ")) + "\n")
	}
	return b.String()
}

// roffText escapes text for roff: backslashes, hyphens (so flags are not
// hyphenated or turned into dashes) and a leading control character.
func roffText(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
