package sandbox

import "encoding/json"

func bodyPositional(text string, examples ...string) TemplateComponent {
	c := TemplateComponent{Type: "BODY", Text: text}
	if len(examples) > 0 {
		c.Example = &TemplateExample{BodyText: [][]string{examples}}
	}
	return c
}

func bodyNamed(text string, examples ...NamedExample) TemplateComponent {
	return TemplateComponent{Type: "BODY", Text: text, Example: &TemplateExample{BodyTextNamedParams: examples}}
}

func headerText(text string, examples ...string) TemplateComponent {
	c := TemplateComponent{Type: "HEADER", Format: "TEXT", Text: text}
	if len(examples) > 0 {
		c.Example = &TemplateExample{HeaderText: examples}
	}
	return c
}

func headerMedia(format string) TemplateComponent {
	return TemplateComponent{Type: "HEADER", Format: format,
		Example: &TemplateExample{HeaderHandle: []string{"4::aW1hZ2UvanBlZw==:ARZsandboxExampleHandle"}}}
}

func footer(text string) TemplateComponent { return TemplateComponent{Type: "FOOTER", Text: text} }

func buttons(b ...TemplateButton) TemplateComponent {
	return TemplateComponent{Type: "BUTTONS", Buttons: b}
}

func quickReply(text string) TemplateButton { return TemplateButton{Type: "QUICK_REPLY", Text: text} }

func urlButton(text, u string, example ...string) TemplateButton {
	b := TemplateButton{Type: "URL", Text: text, URL: u}
	if len(example) > 0 {
		b.Example, _ = json.Marshal(example)
	}
	return b
}

func copyCode(example string) TemplateButton {
	b := TemplateButton{Type: "COPY_CODE", Text: "Copy offer code"}
	b.Example, _ = json.Marshal(example)
	return b
}

// addStarterTemplates gives the account the templates a new WhatsApp
// Business Account typically has after a few weeks of use: Meta's own
// hello_world, utility updates in several languages (positional and named
// parameters), marketing templates with an image header, a URL button, a
// copy-code button and quick replies, an authentication template, and one
// PAUSED and one DISABLED template to exercise 132015 and 132016.
func (s *Sandbox) addStarterTemplates() {
	add := func(name, lang, category, format, status string, comps ...TemplateComponent) {
		if format == "" {
			format = "POSITIONAL"
		}
		s.templates.add(&Template{ID: s.ids.numericID(), Name: name, Language: lang, Category: category,
			Status: status, ParameterFormat: format, Components: comps})
	}
	add("hello_world", "en_US", "UTILITY", "", TemplateApproved,
		headerText("Hello World"),
		bodyPositional("Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us."),
		footer("WhatsApp Business Platform sample message"))

	add("order_update", "en_US", "UTILITY", "", TemplateApproved,
		bodyPositional("Hi {{1}}, your order {{2}} has shipped and should arrive by {{3}}. Reply here if you have any questions.",
			"Emily", "#48213", "Friday, May 9"),
		buttons(urlButton("Track order", "https://shop.example.com/track/{{1}}", "https://shop.example.com/track/48213"),
			quickReply("Talk to an agent")))
	add("order_update", "es_MX", "UTILITY", "", TemplateApproved,
		bodyPositional("Hola {{1}}, tu pedido {{2}} ya fue enviado y debería llegar el {{3}}. Escríbenos si tienes alguna duda.",
			"Sofía", "#48213", "viernes 9 de mayo"),
		buttons(urlButton("Rastrear pedido", "https://shop.example.com/track/{{1}}", "https://shop.example.com/track/48213"),
			quickReply("Hablar con un agente")))
	add("order_update", "pt_BR", "UTILITY", "", TemplateApproved,
		bodyPositional("Oi {{1}}, seu pedido {{2}} foi enviado e deve chegar até {{3}}. Qualquer dúvida, é só responder.",
			"Lucas", "#48213", "sexta-feira, 9 de maio"),
		buttons(urlButton("Rastrear pedido", "https://shop.example.com/track/{{1}}", "https://shop.example.com/track/48213"),
			quickReply("Falar com atendente")))

	add("appointment_reminder", "en_US", "UTILITY", "NAMED", TemplateApproved,
		headerText("Appointment reminder"),
		bodyNamed("Hello {{customer_name}}, this is a reminder of your appointment with {{provider}} on {{date}} at {{time}}. Please confirm or reschedule below.",
			NamedExample{"customer_name", "Grace"}, NamedExample{"provider", "Dr. Kim"},
			NamedExample{"date", "June 3"}, NamedExample{"time", "10:30 AM"}),
		buttons(quickReply("Confirm"), quickReply("Reschedule")))
	add("appointment_reminder", "es", "UTILITY", "NAMED", TemplateApproved,
		headerText("Recordatorio de cita"),
		bodyNamed("Hola {{customer_name}}, te recordamos tu cita con {{provider}} el {{date}} a las {{time}}. Confirma o reprograma abajo.",
			NamedExample{"customer_name", "Lucía"}, NamedExample{"provider", "la Dra. Ruiz"},
			NamedExample{"date", "3 de junio"}, NamedExample{"time", "10:30"}),
		buttons(quickReply("Confirmar"), quickReply("Reprogramar")))

	add("delivery_update", "ar", "UTILITY", "", TemplateApproved,
		bodyPositional("مرحبا {{1}}، طلبك رقم {{2}} في الطريق إليك وسيصل خلال يومين.", "محمد", "48213"))
	add("delivery_update", "he", "UTILITY", "", TemplateApproved,
		bodyPositional("שלום {{1}}, ההזמנה שלך מספר {{2}} בדרך אליך ותגיע בתוך יומיים.", "נועה", "48213"))
	add("delivery_update", "hi", "UTILITY", "", TemplateApproved,
		bodyPositional("नमस्ते {{1}}, आपका ऑर्डर {{2}} रास्ते में है और दो दिनों में पहुँच जाएगा।", "प्रिया", "48213"))

	add("invoice_ready", "en_US", "UTILITY", "", TemplateApproved,
		headerMedia("DOCUMENT"),
		bodyPositional("Hi {{1}}, your invoice {{2}} for {{3}} is attached. Thank you for your business!", "James", "INV-0042", "$129.90"))

	add("spring_sale", "en_US", "MARKETING", "", TemplateApproved,
		headerMedia("IMAGE"),
		bodyPositional("Hi {{1}}! Our spring sale is on: {{2}} off everything until {{3}} 🌷", "Olivia", "25%", "Sunday"),
		footer("Reply STOP to unsubscribe"),
		buttons(urlButton("Shop now", "https://shop.example.com/sale/{{1}}", "https://shop.example.com/sale/spring"),
			quickReply("Stop promotions")))

	add("discount_code", "en_US", "MARKETING", "", TemplateApproved,
		bodyPositional("Thanks for being a customer, {{1}}! Use this code at checkout to get {{2}} off your next order.", "Ava", "15%"),
		buttons(copyCode("WELCOME15"), quickReply("Not interested")))

	add("verification_code", "en_US", "AUTHENTICATION", "", TemplateApproved,
		bodyPositional("*{{1}}* is your verification code. For your security, do not share this code.", "482913"),
		footer("This code expires in 10 minutes."),
		buttons(TemplateButton{Type: "URL", Text: "Copy code",
			URL: "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp{{1}}", Example: json.RawMessage(`["https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp482913"]`)}))

	add("winter_promo", "en_US", "MARKETING", "", TemplatePaused,
		bodyPositional("Hi {{1}}, winter deals are here: free shipping on all orders this week.", "Noah"))
	add("old_newsletter", "en_US", "MARKETING", "", TemplateDisabled,
		bodyPositional("Hello {{1}}, here is our monthly newsletter with the latest arrivals.", "Liam"))
}
