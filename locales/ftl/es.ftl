# civicmetrics interface strings: Spanish. See en.ftl for the keys and the variables each takes.

## El idioma

language_name = Español

## Estados

on_track = En camino
near_target = Cerca de la meta
off_track = Fuera de la meta
no_target = Sin meta
no_data = Sin datos

## Metas y tendencias

target_at_least = Meta: al menos { $value }
target_at_most = Meta: como máximo { $value }
target_range = Meta: de { $low } a { $high }
target_none = Sin meta fijada
trend_up = Sube { $amount } respecto al año anterior
trend_down = Baja { $amount } respecto al año anterior
trend_same = Sin cambios respecto al año anterior
trend_none = Sin valor del año anterior para comparar
points = { $count ->
    [one] { $amount } punto
   *[other] { $amount } puntos
}
week_of = Semana del { $date }

## Tarjetas, gráficos y resúmenes de área

last_updated = Última actualización
about = Acerca de esta medida
source = Fuente
get_data = Obtener los datos
feedback = Comentarios
unavailable = Datos no disponibles
unavailable_detail = No se pudieron cargar los datos de esta medida.
open_data = Abrir los datos
show_table = Mostrar como tabla
hide_table = Ocultar tabla
on_track_count = { $on_track } de { $total } medidas en camino
period = Período
value = Valor
status = Estado
target = Meta
citywide = Toda la ciudad
chart_label = { $title }: { $value } en { $period }. { $target }. { $status }.
chart_help = Use las flechas para moverse entre períodos.
point_label = { $series }, { $period }: { $value }, { $status }
loading = Cargando…

## El sitio para residentes

skip = Ir al contenido
home = Panel
languages = Idiomas
breadcrumb = Ruta de navegación
priority_areas = Áreas prioritarias
all_measures = Todas las medidas de { $area }
measures_in_area = Medidas
area_feed = Seguir las novedades de esta área (fuente Atom)
site_feed = Seguir todas las novedades (fuente Atom)
measure_feed = Seguir esta medida (fuente Atom)
why = Por qué importa
how = Cómo lo medimos
computed_heading = Calculado a partir de registros
computed_from = Calculado el { $date } con { $engine }, a partir de estos registros:
computed_query = La consulta que lo calcula
provisional_period = { $period } (provisional: el período no ha terminado)
department = Departamento
frequency = Se informa
target_history = Historial de metas
from_period = Desde
current_target = Meta actual
data_table = Los datos
data_caption = { $title }: todos los períodos
data_caption_latest = { $title }: los últimos { $shown } de { $total } períodos (todos están en las descargas)
breakdown_caption = { $title } por { $dimension }, { $period }
note = Nota
downloads = Descargar los datos
measure_json = Esta medida (JSON)
chart_svg = Este gráfico (SVG)
embed = Insertar esta medida
embed_help = Pegue el marco donde debe aparecer la tarjeta y el script una vez por página: ajusta el alto del marco a su contenido.
embed_card = Tarjeta
embed_chart = Gráfico
cite_this = Citar
cite_help = La cifra tal como se publicó, con la página y la hora de publicación:
cite_text = { $publisher }, «{ $title }»: { $value } en { $period }. { $url } (publicado el { $published }).
cite_text_no_value = { $publisher }, «{ $title }». { $url } (publicado el { $published }).
report_problem = Informar de un problema con los datos
report_subject = Problema con los datos: { $title }
latest = Último dato
chart_alt = Gráfico de { $title }
about_data = Acerca de los datos
about_intro = Cada cifra de este sitio proviene de un único conjunto de datos publicado, en formatos para hojas de cálculo, herramientas de datos y páginas web.
published_by = Publicado por { $publisher }.
licence = Licencia
contact = Contacto
updated = Actualizado
latest_record = Registro más reciente
owner_questions = Preguntas sobre esta medida:
analysis = Lo que dice el departamento
analysis_line = { $period }: { $text }
revised = Revisado: publicado primero como { $value } el { $date }
revisions = Revisiones
revisions_intro = Valores publicados antes y corregidos después. La tabla de revisiones del conjunto de datos guarda cada valor publicado.
revision_line = { $period }: { $value }, publicado el { $published }, reemplazado el { $replaced }
restated = { $title }, { $period }: corregido de { $old } a { $new }
dictionary = Diccionario de datos
status_rule = Cómo se calcula el estado
status_intro = Cada valor se compara con la meta vigente en su período: una meta dada para ese período, si no el último cambio de la meta de la medida, si no la meta de la medida. Cada meta tiene un margen llamado «cerca», el 5 % de la meta salvo que la medida indique otro.
rule_at_least = Meta mínima: en camino cuando el valor la alcanza; cerca de la meta cuando queda por debajo dentro del margen; si no, fuera de la meta.
rule_at_most = Meta máxima: en camino cuando el valor no la supera; cerca de la meta cuando la supera dentro del margen; si no, fuera de la meta.
rule_range = Un rango: en camino dentro de él; cerca de la meta dentro del margen fuera de él; si no, fuera de la meta.
rule_none = Sin meta el estado es «Sin meta»; un período sin valor es «Sin datos». Los valores por distrito u otro desglose solo se juzgan con una meta dada para ellos.
column = Columna
type = Tipo
description = Descripción
primary_key = Clave primaria
feeds = Fuentes
not_found = Página no encontrada
not_found_help = La página que busca no está aquí. Vuelva a empezar desde el panel.
no_measures = Todavía no hay medidas.
daily = Cada día
weekly = Cada semana
monthly = Cada mes
quarterly = Cada trimestre
annual = Cada año
update_entry = { $title }: { $value } en { $period }
change_entry = { $title } ahora está { $status }
table_observations = Observaciones
table_measures = Medidas
table_areas = Áreas prioritarias

## Metas plurianuales y actualidad de los datos

goals = Metas plurianuales
goals_on_pace = { $on_pace } de { $total } metas a buen ritmo o alcanzadas
goal_achieved = Alcanzada
goal_missed = No alcanzada
goal_on_pace = A buen ritmo
goal_behind_pace = Con retraso
goal_no_data = Aún sin datos
goal_progress = { $progress } de { $target } ({ $share })
goal_progress_latest = Ahora { $progress }, { $share } del camino hacia { $target }
goal_baseline = Punto de partida: { $value } en { $period }
goal_deadline = Plazo: { $period }
goal_expected = Lo previsto por la trayectoria para { $period }: { $value }
goal_projection = A este ritmo: se alcanza en { $period }
goal_no_projection = A este ritmo no se alcanza
goal_milestones = Hitos
goal_line = Meta: { $title } – { $status }
goal_of = Una meta de { $measure }
embed_goal = Insertar esta meta
next_due = Próxima actualización prevista el { $date }
update_late = Actualización atrasada: prevista el { $date }
update_stale = Actualización muy atrasada: prevista el { $date }
measures_late = { $count ->
    [one] { $amount } medida está atrasada
   *[other] { $amount } medidas están atrasadas
}
goal_rule = Cómo se evalúan las metas
goal_rule_path = Una meta parte de un valor en un período de referencia y llega a su objetivo al final de su período límite, pasando por los hitos que tenga. Entre esos puntos la trayectoria es una línea recta, día a día.
goal_rule_status = Una meta está alcanzada cuando su avance llega al objetivo; no alcanzada cuando vence el plazo sin lograrlo; a buen ritmo cuando el último avance está donde la trayectoria lo prevé o más allá; si no, con retraso. El avance es el último valor o, para totales como las viviendas financiadas, la suma de los valores desde el período de referencia.
goal_rule_projection = «A este ritmo» sigue la línea recta que mejor se ajusta al avance del último año. No dice nada cuando esa línea es plana, va en sentido contrario o llega al objetivo dentro de más de un siglo.
freshness_rule = Cuándo se esperan las cifras
freshness_rule_text = La cifra de cada período se espera un tiempo fijo después de que termina: dos días para las medidas diarias, una semana para las semanales, 30 días para las mensuales, 60 para las trimestrales y 180 para las anuales, salvo que la medida indique otro. Una medida está atrasada cuando su próxima cifra ya se esperaba y falta, y muy atrasada cuando también se esperaba la siguiente.
goal_entry = La meta «{ $title }» ahora está { $status }
late_entry = { $title } está atrasada: { $period } se esperaba el { $date }
