package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// locale holds what a simulated customer of one language says and where such
// customers live. The texts are written the way people type in chat apps:
// short, informal, with emoji.
type locale struct {
	code      string
	countries []country
	first     []string
	last      []string
	openers   []string
	replies   []string
	followups []string
	captions  []string
	docNames  []string
	places    []place
	forwarded []string
}

// country makes realistic mobile wa_ids for one country.
type country struct {
	region string
	weight int
	waID   func(r *rand.Rand) string
}

type place struct {
	name, address string
	lat, lng      float64
}

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// Country number plans. Each returns a wa_id: country code and national
// number without "+", as WhatsApp reports it. Mexico keeps the legacy "1"
// after 52 (521 + 10 digits), Argentina the mobile "9" (549...), and some
// Brazilian wa_ids lack the ninth digit that was added to mobiles, as older
// WhatsApp accounts still do.
//
// Every plan draws only from ranges that libphonenumber's metadata (the
// data backend/phone checks against) lists as assigned, so an agent can
// answer every simulated customer: a random digit in an unassigned block
// (+44 7911 3…, +54 9 11 9…, +972 54 0…) is refused as INVALID_PHONE
// before it reaches Graph. Where a plan's first digits cover only part of a
// block, the next digit is drawn from the assigned ones (mobilePrefix).
// TestCountryPlansAreValid checks each plan against that metadata.
var (
	countryUS = country{"US", 3, func(r *rand.Rand) string {
		return "1" + pick(r, []string{"212", "305", "312", "415", "512", "617", "646", "702", "713", "818"}) +
			fmt.Sprint(2+r.IntN(8)) + digits(r, 2) + digits(r, 4)
	}}
	countryGB = country{"GB", 1, func(r *rand.Rand) string { return "447" + gbMobile.draw(r) + digits(r, 7) }}
	countryMX = country{"MX", 3, func(r *rand.Rand) string {
		return "521" + pick(r, []string{"55", "33", "81"}) + fmt.Sprint(1+r.IntN(9)) + digits(r, 7)
	}}
	countryES = country{"ES", 1, func(r *rand.Rand) string { return "346" + digits(r, 8) }}
	// Buenos Aires mobiles are 11 [1-8]xxx xxxx; 11 9… is unassigned.
	countryAR = country{"AR", 1, func(r *rand.Rand) string { return "54911" + fmt.Sprint(1+r.IntN(8)) + digits(r, 7) }}
	countryBR = country{"BR", 1, func(r *rand.Rand) string {
		ddd := pick(r, []string{"11", "21", "31", "41", "51", "61", "71", "81"})
		if r.IntN(2) == 0 {
			// Legacy account: wa_id without the ninth digit.
			return "55" + ddd + fmt.Sprint(7+r.IntN(3)) + digits(r, 7)
		}
		return "55" + ddd + "9" + fmt.Sprint(6+r.IntN(4)) + digits(r, 7)
	}}
	countrySA = country{"SA", 2, func(r *rand.Rand) string {
		return "9665" + pick(r, []string{"0", "3", "4", "5", "6", "9"}) + digits(r, 7)
	}}
	countryEG = country{"EG", 1, func(r *rand.Rand) string { return "201" + pick(r, []string{"0", "1", "2", "5"}) + digits(r, 8) }}
	countryAE = country{"AE", 1, func(r *rand.Rand) string {
		return "9715" + pick(r, []string{"0", "2", "4", "5", "6", "8"}) + digits(r, 7)
	}}
	countryIL = country{"IL", 1, func(r *rand.Rand) string { return "9725" + ilMobile.draw(r) + digits(r, 6) }}
	countryIN = country{"IN", 1, func(r *rand.Rand) string { return "91" + fmt.Sprint(6+r.IntN(4)) + digits(r, 9) }}

	// allCountries lists every plan, for tests that check them all.
	allCountries = []country{countryUS, countryGB, countryMX, countryES, countryAR, countryBR, countrySA, countryEG,
		countryAE, countryIL, countryIN}
)

// mobilePrefix is a mobile block of a national plan: a digit and the digits
// that may follow it, so that whatever comes after is assigned.
type mobilePrefix struct {
	digit byte
	next  string
}

// mobilePrefixes is a plan's mobile blocks. A draw takes two random
// numbers, as the digits it replaces did, so a seed's other customers keep
// the numbers they had before the plans were corrected.
type mobilePrefixes []mobilePrefix

func (ps mobilePrefixes) draw(r *rand.Rand) string {
	p := pick(r, ps)
	return string([]byte{p.digit, p.next[r.IntN(len(p.next))]})
}

var (
	// gbMobile follows 447: 74x (not 745), 75x (not 750, 752), 771–777,
	// 78x (not 782, 783) and 79x (not 791, 793) are assigned in full.
	gbMobile = mobilePrefixes{{'4', "012346789"}, {'5', "13456789"}, {'7', "1234567"}, {'8', "01456789"}, {'9', "02456789"}}
	// ilMobile follows 9725: Pelephone 50, Cellcom 52, Hot Mobile 53,
	// Partner 54 and Golan 58, each without its unassigned blocks.
	ilMobile = mobilePrefixes{{'0', "023456789"}, {'2', "023456789"}, {'3', "0123456789"}, {'4', "23456789"}, {'8', "34567"}}
)

var reactionEmoji = []string{"👍", "❤️", "😂", "😮", "😢", "🙏", "👏", "🔥"}

var nameEmoji = []string{"🌸", "⚽", "✨", "🌻", "🎧", "☕", "🌙", "🦋"}

var locales = map[string]*locale{
	"en": {
		code:      "en",
		countries: []country{countryUS, countryGB},
		first:     []string{"Emily", "James", "Olivia", "Noah", "Ava", "Liam", "Sophie", "Ethan", "Grace", "Mason", "Chloe", "Jack"},
		last:      []string{"Carter", "O'Connor", "Nguyen", "Patel", "Johnson", "Brooks", "Walker", "Kim", "Thompson", "Reyes"},
		openers: []string{
			"Hi! I have a question about my order 📦",
			"Hello, is the store open on Sunday?",
			"Hey, my package hasn't arrived yet 😕",
			"Can I change the delivery address for order #%d?",
			"Do you ship to Canada?",
			"I'd like to return an item, how do I do that?",
			"Good morning ☀️ anyone there?",
			"My card was charged twice for order #%d 😟",
			"Is the blue hoodie back in stock?",
			"Hi, I never got the confirmation email",
		},
		replies: []string{
			"Thanks, that helps! 🙏", "Perfect 👍", "Ok, I'll wait", "Can you send me the tracking link?",
			"That doesn't work for me, sorry", "Yes please", "No, that's all. Thank you!", "What time will it arrive?",
			"😂 ok", "Great, see you then!", "Hmm, I'm not sure that's right", "Awesome, thank you so much ❤️",
		},
		followups: []string{"Any update?", "Hello?", "Also, can I add one more item?", "Never mind, found it 😅", "Is there a discount code?"},
		captions:  []string{"This is how the box arrived", "Screenshot of the error", "Receipt", "Is this the right size?", ""},
		docNames:  []string{"invoice_2024_0042.pdf", "Return form.pdf", "order-confirmation.pdf", "receipt (1).pdf"},
		places: []place{
			{"Times Square", "Manhattan, NY 10036, USA", 40.758, -73.9855},
			{"Home", "1600 Pennsylvania Ave NW, Washington, DC 20500", 38.8977, -77.0365},
			{"King's Cross Station", "Euston Rd, London N1 9AL, UK", 51.5308, -0.1238},
		},
		forwarded: []string{"Check this out: 20% off everything this weekend!", "Reminder: pickup is at 5pm"},
	},
	"es": {
		code:      "es",
		countries: []country{countryMX, countryES, countryAR},
		first:     []string{"María José", "Alejandro", "Sofía", "Diego", "Valentina", "Javier", "Lucía", "Mateo", "Camila", "Andrés"},
		last:      []string{"Fernández", "Gómez", "Rodríguez", "López", "Martínez", "Hernández", "Pérez", "Sánchez", "Ibáñez", "Núñez"},
		openers: []string{
			"Hola, ¿cuándo llega mi pedido? 📦",
			"Buenas tardes, quisiera cambiar la dirección de envío",
			"¿Tienen esta talla en azul?",
			"Me cobraron dos veces el pedido #%d 😟",
			"Hola! Quiero devolver un producto, ¿cómo hago?",
			"¿Hacen envíos a Guadalajara?",
			"Buen día ☀️ ¿están atendiendo?",
		},
		replies: []string{
			"¡Gracias! 🙏", "Perfecto, quedo atento", "Sí, por favor", "¿Me pasas el número de seguimiento?",
			"No me funciona el enlace", "Vale, espero entonces", "Listo 👍", "Muchas gracias por la ayuda ❤️", "jajaja ok",
		},
		followups: []string{"¿Alguna novedad?", "¿Hola?", "Otra pregunta: ¿tienen factura?", "Ya lo encontré, gracias 😅"},
		captions:  []string{"Así llegó la caja", "Captura del error", "Comprobante de pago", ""},
		docNames:  []string{"comprobante de pago.pdf", "factura_A-0042.pdf", "INE.pdf"},
		places: []place{
			{"Zócalo", "Plaza de la Constitución, Centro, CDMX, México", 19.4326, -99.1332},
			{"Puerta del Sol", "Plaza de la Puerta del Sol, Madrid, España", 40.4169, -3.7035},
			{"Obelisco", "Av. 9 de Julio, Buenos Aires, Argentina", -34.6037, -58.3816},
		},
		forwarded: []string{"Reenviado de mi hermana: ¿esto es oficial?", "Promo 2x1 solo hoy!!"},
	},
	"pt_BR": {
		code:      "pt_BR",
		countries: []country{countryBR},
		first:     []string{"João Pedro", "Ana Luíza", "Lucas", "Beatriz", "Gabriel", "Mariana", "Rafael", "Júlia", "Thiago", "Larissa"},
		last:      []string{"Silva", "Souza", "Oliveira", "Santos", "Pereira", "Costa", "Almeida", "Gonçalves", "Araújo"},
		openers: []string{
			"Oi, tudo bem? Meu pedido ainda não chegou 😕",
			"Bom dia! Vocês entregam no sábado?",
			"Quero trocar um produto, como faço?",
			"Paguei via Pix o pedido #%d, podem confirmar?",
			"Olá! Tem esse tênis no 42?",
		},
		replies: []string{
			"Valeu! 🙏", "Beleza, obrigado", "Sim, pode ser", "Qual o código de rastreio?", "Não consegui abrir o link",
			"Show 👍", "Obrigada pela ajuda ❤️", "kkkkk ok",
		},
		followups: []string{"Alguma novidade?", "Oi?", "Ah, e a nota fiscal?", "Achei aqui, obrigado 😅"},
		captions:  []string{"Chegou assim", "Print do erro", "Comprovante do Pix", ""},
		docNames:  []string{"comprovante_pix.pdf", "nota fiscal 1234.pdf", "RG frente e verso.pdf"},
		places: []place{
			{"Avenida Paulista", "Av. Paulista, 1578 - Bela Vista, São Paulo - SP", -23.5614, -46.6559},
			{"Copacabana", "Av. Atlântica, Rio de Janeiro - RJ", -22.9711, -43.1822},
		},
		forwarded: []string{"Olha isso: frete grátis hoje!", "Recebi essa mensagem, é golpe?"},
	},
	"ar": {
		code:      "ar",
		countries: []country{countrySA, countryEG, countryAE},
		first:     []string{"محمد", "فاطمة", "أحمد", "نورة", "خالد", "ليلى", "عمر", "مريم", "يوسف", "سارة"},
		last:      []string{"العتيبي", "الزهراني", "حسن", "عبد الله", "القحطاني", "المصري", "الشمري", "إبراهيم"},
		openers: []string{
			"مرحبا، متى يصل طلبي؟ 📦",
			"السلام عليكم، هل يمكنني تغيير عنوان التوصيل؟",
			"دفعت مرتين للطلب رقم %d، أرجو المساعدة 😟",
			"هل المتجر مفتوح يوم الجمعة؟",
			"أريد إرجاع منتج، ما هي الخطوات؟",
		},
		replies: []string{
			"شكرا جزيلا 🙏", "تمام 👍", "نعم من فضلك", "أرسل لي رقم التتبع لو سمحت", "الرابط لا يعمل",
			"جزاك الله خير ❤️", "حسنا، سأنتظر",
		},
		followups: []string{"هل من جديد؟", "مرحبا؟", "سؤال آخر: هل يوجد توصيل مجاني؟"},
		captions:  []string{"هكذا وصل الطرد", "صورة الخطأ", "إيصال الدفع", ""},
		docNames:  []string{"فاتورة.pdf", "إيصال الدفع.pdf"},
		places: []place{
			{"برج المملكة", "طريق الملك فهد، الرياض، السعودية", 24.7114, 46.6744},
			{"ميدان التحرير", "القاهرة، مصر", 30.0444, 31.2357},
			{"دبي مول", "دبي، الإمارات العربية المتحدة", 25.1972, 55.2797},
		},
		forwarded: []string{"عرض خاص لمدة يوم واحد فقط!"},
	},
	"he": {
		code:      "he",
		countries: []country{countryIL},
		first:     []string{"נועה", "יוסי", "תמר", "איתי", "מאיה", "דניאל", "שירה", "עומר"},
		last:      []string{"כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם", "פרידמן"},
		openers: []string{
			"שלום, מתי ההזמנה שלי תגיע? 📦",
			"היי, אפשר לשנות את כתובת המשלוח?",
			"חויבתי פעמיים על הזמנה %d 😟",
			"האם החנות פתוחה ביום שישי?",
		},
		replies:   []string{"תודה רבה 🙏", "מעולה 👍", "כן בבקשה", "אפשר מספר מעקב?", "הקישור לא עובד", "סבבה, אחכה"},
		followups: []string{"יש עדכון?", "הלו?", "עוד שאלה: יש משלוח חינם?"},
		captions:  []string{"ככה הגיעה החבילה", "צילום מסך של השגיאה", ""},
		docNames:  []string{"קבלה.pdf", "חשבונית מס.pdf"},
		places:    []place{{"שוק הכרמל", "הכרמל, תל אביב-יפו", 32.0683, 34.7686}},
		forwarded: []string{"קיבלתי את זה, זה אמיתי?"},
	},
	"hi": {
		code:      "hi",
		countries: []country{countryIN},
		first:     []string{"प्रिया", "राहुल", "अनन्या", "अर्जुन", "पूजा", "विकास", "नेहा", "आदित्य"},
		last:      []string{"शर्मा", "वर्मा", "गुप्ता", "सिंह", "पटेल", "कुमार", "जोशी"},
		openers: []string{
			"नमस्ते, मेरा ऑर्डर कब आएगा? 📦",
			"क्या मैं डिलीवरी का पता बदल सकता हूँ?",
			"ऑर्डर %d के लिए मेरे पैसे दो बार कट गए 😟",
			"Hello, kya aap Sunday ko open hain?",
		},
		replies:   []string{"धन्यवाद 🙏", "ठीक है 👍", "हाँ, कृपया", "ट्रैकिंग नंबर भेज दीजिए", "लिंक काम नहीं कर रहा", "ok ji"},
		followups: []string{"कोई अपडेट?", "हैलो?", "COD available hai?"},
		captions:  []string{"पार्सल ऐसे आया", "एरर का स्क्रीनशॉट", ""},
		docNames:  []string{"बिल.pdf", "payment_receipt.pdf"},
		places:    []place{{"Gateway of India", "Apollo Bandar, Colaba, Mumbai, Maharashtra", 18.922, 72.8347}},
		forwarded: []string{"Forwarded: sale sale sale!! 50% off"},
	},
}

// localeOrder fixes iteration order so populations are reproducible.
var localeOrder = []string{"en", "es", "pt_BR", "ar", "he", "hi"}

// localeWeights make English and Spanish customers the most common.
var localeWeights = map[string]int{"en": 4, "es": 3, "pt_BR": 2, "ar": 2, "he": 1, "hi": 2}

// randomName returns a realistic display name, sometimes with an emoji or
// only a first name, as WhatsApp profile names are.
func (l *locale) randomName(r *rand.Rand) string {
	name := pick(r, l.first)
	switch n := r.IntN(10); {
	case n < 7:
		name += " " + pick(r, l.last)
	case n == 7:
		name += " " + pick(r, nameEmoji)
	}
	return name
}

func (l *locale) randomCountry(r *rand.Rand) country {
	total := 0
	for _, c := range l.countries {
		total += c.weight
	}
	n := r.IntN(total)
	for _, c := range l.countries {
		if n < c.weight {
			return c
		}
		n -= c.weight
	}
	return l.countries[0]
}

// fill replaces a %d in a phrase with an order number.
func fill(r *rand.Rand, s string) string {
	if strings.Contains(s, "%d") {
		return fmt.Sprintf(s, 10000+r.IntN(90000))
	}
	return s
}
